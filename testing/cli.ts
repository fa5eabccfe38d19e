/**
 * Test support for the CLI: a real sandbox on loopback, a file secret store holding canary tokens,
 * a temp context file, and helpers to run a command in-process (oclif's captureOutput) or as a real
 * `bin/arda-mail` process. Used only by `*.test.ts` files.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { captureOutput } from "@oclif/test";
import { REPO_ROOT } from "../platform/load";
import { loadPlatform } from "../platform/load";
import { partitionPostmarkTokenRef } from "../platform/names";
import { startSandbox, type RunningSandbox } from "../sandbox/postmark/server";

/** A value that must never appear in any output or file but the secret store itself. */
export const CANARY_TOKEN = "canary-postmark-token-7f3a9c1e5b2d4";

export interface Harness {
  readonly sandbox: RunningSandbox;
  readonly dir: string;
  readonly secretsFile: string;
  readonly contextFile: string;
  /** Global flags pointing every command at the harness. */
  readonly flags: string[];
  close(): Promise<void>;
}

export async function startHarness(opts: { token?: string; contextText?: string } = {}): Promise<Harness> {
  const token = opts.token ?? CANARY_TOKEN;
  const sandbox = await startSandbox({ accountToken: token, dkimBits: 1024 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "arda-mail-cli-"));
  const secretsFile = path.join(dir, "secrets.json");
  const platform = loadPlatform("sandbox");
  const map: Record<string, string> = {};
  for (const a of platform.postmarkAccounts) map[a.tokenRef] = token;
  for (const p of platform.partitions) map[partitionPostmarkTokenRef(p)] = token;
  fs.writeFileSync(secretsFile, JSON.stringify(map, null, 2));
  const contextFile = path.join(dir, "cdktf.json");
  fs.writeFileSync(contextFile, opts.contextText ?? `{\n  "language": "typescript",\n  "app": "node dist/main.js",\n  "context": {\n    "other:key": "kept"\n  }\n}\n`);
  return {
    sandbox,
    dir,
    secretsFile,
    contextFile,
    flags: ["--platform", "sandbox", "--secrets", `file:${secretsFile}`, "--postmark-url", sandbox.url, "--context-file", contextFile],
    close: async () => {
      await sandbox.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A harness that `harnessPerTest` renews for each test, and the context file's text as the test found it. */
export interface TestHarness extends Harness {
  /** The context file's text when the test began; a test that rewrites the file on purpose sets it anew. */
  before: string;
}

/**
 * Each test of the calling `describe` gets its own harness (fresh sandbox, secrets and context file),
 * closed after it. The object returned is the current test's harness: read it inside tests only.
 */
export function harnessPerTest(): TestHarness {
  let current: Harness | undefined;
  let before = "";
  beforeEach(async () => {
    current = await startHarness();
    before = fs.readFileSync(current.contextFile, "utf8");
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  const now = (): Harness => {
    if (!current) throw new Error("the harness exists only while a test runs (harnessPerTest)");
    return current;
  };
  return {
    get sandbox() {
      return now().sandbox;
    },
    get dir() {
      return now().dir;
    },
    get secretsFile() {
      return now().secretsFile;
    },
    get contextFile() {
      return now().contextFile;
    },
    get flags() {
      return now().flags;
    },
    close: () => now().close(),
    get before() {
      return before;
    },
    set before(text: string) {
      before = text;
    },
  };
}

export interface Outcome<T = unknown> {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly result?: T;
  readonly error?: Error;
}

/** Run a command class in-process, the way oclif would, capturing both streams. */
export async function runInProcess<T = unknown>(cmd: { run(argv: string[], root: string): Promise<unknown> }, argv: string[]): Promise<Outcome<T>> {
  const out = await captureOutput<T>(() => cmd.run(argv, REPO_ROOT), { stripAnsi: true });
  const exit = (out.error as { oclif?: { exit?: number } } | undefined)?.oclif?.exit;
  return { code: out.error ? (exit ?? 1) : 0, stdout: out.stdout, stderr: out.stderr, result: out.result, error: out.error };
}

export const BIN = path.join(REPO_ROOT, "bin", "arda-mail");

/** Run `bin/arda-mail` (compiled dist) as a real child process. */
export function runBin(argv: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<Outcome & { signal: NodeJS.Signals | null }> {
  return collect(process.execPath, [BIN, ...argv], env, timeoutMs);
}

/**
 * `bin/arda-mail` as an operator whom file modes bind. Root ignores file modes through
 * CAP_DAC_OVERRIDE, so as root the CLI runs without the two DAC capabilities (setpriv). Not as
 * another user: the checkout may sit in a directory only root can enter (a mktemp -d clone), and
 * that user could not load the CLI at all.
 */
export function runBinAsOperator(argv: string[]): Promise<Outcome & { signal: NodeJS.Signals | null }> {
  if (process.getuid?.() !== 0) return runBin(argv);
  return collect("setpriv", ["--bounding-set=-dac_override,-dac_read_search", process.execPath, BIN, ...argv], {}, 60_000);
}

/** Run `command` from the repository root and collect its output; killed after `timeoutMs`. */
function collect(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Outcome & { signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, env: { ...process.env, NODE_ENV: "production", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128, signal, stdout, stderr });
    });
  });
}

/** Every file under `dir` (recursively) as text, for canary checks. */
export function filesText(dir: string, except: string[] = []): string {
  let all = "";
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (except.includes(p)) continue;
    all += entry.isDirectory() ? filesText(p, except) : fs.readFileSync(p, "utf8");
  }
  return all;
}
