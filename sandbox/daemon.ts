/**
 * A rehearsal daemon (knotd, moto_server) started as a child: the tail of its stderr is kept for
 * error messages, and it is SIGKILLed if this process exits without stopping it — no daemon left behind.
 */
import { spawn, type ChildProcess } from "node:child_process";

export interface Daemon {
  readonly child: ChildProcess;
  /** The last 4,000 characters it wrote to stderr. */
  stderrTail(): string;
  /** Stop guarding it at exit (call once it has been stopped or has died). */
  release(): void;
}

export function spawnDaemon(command: string, args: readonly string[], env?: NodeJS.ProcessEnv): Daemon {
  const child = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"], ...(env ? { env } : {}) });
  let err = "";
  child.stderr!.setEncoding("utf8").on("data", (c: string) => {
    err = (err + c).slice(-4000);
  });
  const onExit = (): void => {
    child.kill("SIGKILL");
  };
  process.once("exit", onExit);
  return { child, stderrTail: () => err, release: () => process.removeListener("exit", onExit) };
}
