/** One request the sandbox answered, as its admin API and the fault tests read it back. */
export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  /** Set when an injected fault shaped the answer. */
  fault?: string;
}
