/**
 * Test helper: run a command where no Node.js can be started — a private mount namespace in which
 * every `node` / `nodejs` executable on the machine is covered by a bind mount of /dev/null — and
 * with exactly the environment given (nothing inherited, no PATH unless given). This is how tests
 * show that the provider executable is self-contained: Terraform, started like this, still has to
 * install, start and use it.
 *
 * `hideDirs` also covers directories with an empty tmpfs there (e.g. a Terraform filesystem mirror,
 * to show that a build works on a machine without one).
 *
 * Root makes a mount namespace directly (`unshare -m`); any other user gets one inside a user
 * namespace (`unshare -rm`), where the kernel allows it.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export interface NoNodeResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Exit status the wrapper uses when a Node binary is still reachable inside the namespace. */
export const NODE_STILL_REACHABLE = 97;

/** Every node/nodejs executable reachable through this process's PATH and the usual places, real paths. */
export function nodeBinaries(): string[] {
  const dirs = new Set([...(process.env.PATH ?? "").split(":").filter(Boolean), "/usr/bin", "/usr/local/bin", "/bin", path.dirname(process.execPath)]);
  const found = new Set<string>([fs.realpathSync(process.execPath)]);
  for (const d of dirs) {
    for (const name of ["node", "nodejs"]) {
      const p = path.join(d, name);
      try {
        if (fs.statSync(p).isFile()) found.add(fs.realpathSync(p));
      } catch {
        // not there
      }
    }
  }
  return [...found];
}

// Runs inside the namespace: hide each binary, prove it is hidden, then exec the command with the
// caller's environment untouched (the script's own variables are not exported).
const WRAPPER = `
for d in $HIDE_DIRS; do /usr/bin/mount -t tmpfs hidden "$d" || exit 96; done
for f in $HIDE; do /usr/bin/mount --bind /dev/null "$f" || exit 96; done
for f in $HIDE; do if "$f" -e 0 >/dev/null 2>&1; then echo "node still runs: $f" >&2; exit ${NODE_STILL_REACHABLE}; fi; done
exec "$@"
`;

export function runWithoutNode(
  command: string,
  args: readonly string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number; hideDirs?: readonly string[]; keepNode?: boolean },
): Promise<NoNodeResult> {
  const unshare = process.getuid?.() === 0 ? ["-m"] : ["-r", "-m"];
  // HIDE travels as an argument of sh (not in the environment the command gets).
  const script = `HIDE='${opts.keepNode ? "" : nodeBinaries().join(" ")}'\nHIDE_DIRS='${(opts.hideDirs ?? []).join(" ")}'\n${WRAPPER}`;
  return new Promise((resolve, reject) => {
    const child = spawn("/usr/bin/unshare", [...unshare, "--", "/bin/sh", "-c", script, "sh", command, ...args], {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}
