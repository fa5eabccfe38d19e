/**
 * An operator-facing failure: what went wrong and what to do next. The base command prints both
 * (scrubbed of every secret the process has seen) and exits non-zero.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly next: string,
    readonly exitCode = 1,
    /** Extra machine-readable detail for `--json` (must hold no secret). */
    readonly detail?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/**
 * A command that ran to the end but failed (a deploy step, drift found): exit 1, and `--json` still
 * prints the full result — the workflows and scripts read it — instead of an `{error}` object.
 */
export class FailedWithResult extends Error {
  constructor(
    message: string,
    readonly result: unknown,
    /** 1, or 128 + the signal number when the operator interrupted the run (130 SIGINT, 143 SIGTERM). */
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "FailedWithResult";
  }
}
