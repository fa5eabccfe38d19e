/**
 * `npm run sandbox -- --port <p> [--token <t>] [--state <file>] [--dns-resolver ip:port]
 *   [--dkim-bits 1024|2048] [--dkim-verify-after <n>] [--verbose] [--json]`
 *
 * Runs the Postmark sandbox in the foreground until SIGINT/SIGTERM. With --json, stdout carries
 * exactly ONE line `{"url": "...", "accountToken": "..."}` once listening, and nothing else (the
 * human lines go to stderr). The printed token is the deliberate exception to "never print a
 * token": it is the sandbox's own, and the caller needs it.
 */
import { parseArgs } from "node:util";
import { sandboxTokenProblem, startSandbox, SandboxOptions } from "./server";

export const USAGE = "usage: npm run sandbox -- [--port <p>] [--token <t>] [--state <file>] [--dns-resolver ip:port] [--dkim-bits 1024|2048] [--dkim-verify-after <n>] [--verbose] [--json]";

/** Parse argv into options; throws an Error whose message names the bad flag. */
export function parseSandboxArgs(argv: string[]): { options: SandboxOptions; json: boolean; verbose: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string" },
      token: { type: "string" },
      state: { type: "string" },
      "dns-resolver": { type: "string" },
      "dkim-bits": { type: "string" },
      "dkim-verify-after": { type: "string" },
      verbose: { type: "boolean" },
      json: { type: "boolean" },
    },
    strict: true,
    allowPositionals: false,
  });
  const options: SandboxOptions = {};
  if (values.port !== undefined) {
    const p = Number(values.port);
    if (!/^\d+$/.test(values.port) || p > 65535) throw new Error(`--port must be 0..65535 (0 = any free port), got "${values.port}"`);
    options.port = p;
  }
  if (values.token !== undefined) {
    const problem = sandboxTokenProblem(values.token);
    if (problem) throw new Error(problem);
    options.accountToken = values.token;
  }
  if (values.state !== undefined) options.statePath = values.state;
  if (values["dns-resolver"] !== undefined) options.dnsResolver = values["dns-resolver"];
  if (values["dkim-bits"] !== undefined) {
    if (values["dkim-bits"] !== "1024" && values["dkim-bits"] !== "2048") throw new Error(`--dkim-bits must be 1024 or 2048, got "${values["dkim-bits"]}"`);
    options.dkimBits = Number(values["dkim-bits"]) as 1024 | 2048;
  }
  if (values["dkim-verify-after"] !== undefined) {
    const n = Number(values["dkim-verify-after"]);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--dkim-verify-after must be a positive integer, got "${values["dkim-verify-after"]}"`);
    options.dkimVerifyAfterCalls = n;
  }
  return { options, json: values.json === true, verbose: values.verbose === true };
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseSandboxArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`postmark sandbox: ${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`);
    process.exit(2);
  }
  const { options, json, verbose } = parsed;
  if (verbose) options.log = (line) => process.stderr.write(`[sandbox] ${line}\n`);
  let sandbox;
  try {
    sandbox = await startSandbox(options);
  } catch (e) {
    process.stderr.write(`postmark sandbox: cannot start: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
  const human = `Postmark sandbox listening on ${sandbox.url}\nAccount token (X-Postmark-Account-Token): ${sandbox.accountToken}\n`;
  if (json) {
    process.stderr.write(human);
    process.stdout.write(`${JSON.stringify({ url: sandbox.url, accountToken: sandbox.accountToken })}\n`);
  } else {
    process.stdout.write(human);
  }
  const stop = () => {
    void sandbox.close().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

if (require.main === module) void main();
