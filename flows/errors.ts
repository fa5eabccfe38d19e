/**
 * A failure a flow reports to whoever drove it: what went wrong and what to do next. Entry points
 * map it to their own output (the CLI prints both lines and exits 1; the demo reports the step).
 */
export class FlowError extends Error {
  constructor(
    message: string,
    readonly next: string,
    /** Extra machine-readable detail for `--json` (must hold no secret). */
    readonly detail?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "FlowError";
  }
}
