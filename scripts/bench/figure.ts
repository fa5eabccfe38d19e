/** One measured figure printed by `npm run bench`. */
export interface BenchFigure {
  readonly area: string;
  readonly name: string;
  /** Milliseconds unless `unit` says otherwise. */
  readonly value: number;
  readonly unit?: string;
  /** The target, if any (same unit), e.g. 2000 for "under 2 s". */
  readonly target?: number;
  readonly detail?: string;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export async function timeIt(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}
