import { FlowError } from "../../flows/errors";

/**
 * An operator-facing failure raised by a command itself: a flow error with its own exit code. The
 * base command prints message and next (scrubbed of every secret the process has seen) and exits.
 */
export class CliError extends FlowError {
  constructor(
    message: string,
    next: string,
    readonly exitCode = 1,
    detail?: Record<string, unknown>,
  ) {
    super(message, next, detail);
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
  ) {
    super(message);
    this.name = "FailedWithResult";
  }
}
