/**
 * The operator's interrupt of a long command (deploy, takeover): SIGINT/SIGTERM abort one signal
 * the flow watches — the first says what happens now, a repeat only that it is still stopping —
 * and the command exits 128 + the signal's number. One place for both commands.
 */
import * as os from "node:os";

export interface OperatorInterrupt {
  /** Aborted with the signal's name as its reason. */
  readonly signal: AbortSignal;
  /** Stop listening (in a `finally`). */
  release(): void;
}

export function listenForInterrupt(say: (line: string) => void, messages: { readonly first: (sig: NodeJS.Signals) => string; readonly again?: (sig: NodeJS.Signals) => string }): OperatorInterrupt {
  const stop = new AbortController();
  const onSignal = (sig: NodeJS.Signals): void => {
    if (stop.signal.aborted) {
      if (messages.again) say(messages.again(sig));
      return;
    }
    say(messages.first(sig));
    stop.abort(sig);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    signal: stop.signal,
    release: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

/** 130 for SIGINT, 143 for SIGTERM. */
export function interruptExitCode(signal: NodeJS.Signals): number {
  return 128 + os.constants.signals[signal];
}
