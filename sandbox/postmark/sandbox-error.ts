/** An error answered to the client as `{ErrorCode, Message}` with an HTTP status. */
export class SandboxError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
  }
}
