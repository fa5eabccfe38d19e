/**
 * Provider benchmark (issue 3):
 * - start-up to handshake of the built provider (the self-contained SEA with its startup snapshot,
 *   issue 13), median of 25 spawns, with the environment Terraform gives it (magic cookie, protocol
 *   versions, a freshly generated PLUGIN_CLIENT_CERT for AutoMTLS); beside it, for comparison, the
 *   same bundle started by `node` (what the executable was before issue 13);
 * - wall time of terraform plan / apply / destroy of a one-domain configuration against the sandbox
 *   (median of 3 rounds, each in a fresh directory after one init).
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { POSTMARK_PROVIDER_EXE } from "../../lib/remote-run";
import { runTerraform, terraformEnv } from "../../lib/terraform";
import { REPO_ROOT } from "../../platform/load";
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE } from "../../providers/postmark/protocol/plugin";
import { selfSignedIdentity } from "../../providers/postmark/protocol/tls";
import { startSandbox } from "../../sandbox/postmark/server";
import { oneDomainConfiguration } from "../../sandbox/postmark/terraform-config";
import { BenchFigure, median } from "./figure";

const PROVIDER_BUNDLE = path.join(REPO_ROOT, "build/provider/terraform-provider-postmark.js");

/** Spawn the provider as Terraform would and measure the time until its handshake line. */
export function timeToHandshake(exe: string = POSTMARK_PROVIDER_EXE, args: readonly string[] = []): Promise<{ ms: number; line: string }> {
  const clientCert = selfSignedIdentity().certPem;
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(exe, args, {
      env: { PATH: process.env.PATH ?? "", [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: "6", PLUGIN_CLIENT_CERT: clientCert, PLUGIN_MIN_PORT: "10000", PLUGIN_MAX_PORT: "25000" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      const nl = out.indexOf("\n");
      if (nl >= 0) {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        child.kill("SIGKILL");
        resolve({ ms, line: out.slice(0, nl) });
      }
    });
    child.on("exit", (code) => {
      if (!out.includes("\n")) reject(new Error(`provider exited (${code}) before the handshake: ${err}`));
    });
  });
}

export async function run(): Promise<BenchFigure[]> {
  if (!fs.existsSync(POSTMARK_PROVIDER_EXE)) throw new Error(`${POSTMARK_PROVIDER_EXE} is missing: run \`npm run build\``);
  const starts: number[] = [];
  await timeToHandshake(); // warm the page cache
  for (let i = 0; i < 25; i++) starts.push((await timeToHandshake()).ms);
  const nodeStarts: number[] = [];
  await timeToHandshake(process.execPath, [PROVIDER_BUNDLE]);
  for (let i = 0; i < 25; i++) nodeStarts.push((await timeToHandshake(process.execPath, [PROVIDER_BUNDLE])).ms);

  const token = `bench-${Date.now()}-token`;
  const sandbox = await startSandbox({ port: 0, accountToken: token });
  const timings: Record<"plan" | "apply" | "destroy", number[]> = { plan: [], apply: [], destroy: [] };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pm-provider-bench-"));
  try {
    for (let round = 0; round < 3; round++) {
      const dir = path.join(tmp, `r${round}`);
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify(oneDomainConfiguration(sandbox.url, `bench${round}.ardamails.test`)));
      const env = terraformEnv({ TF_VAR_postmark_token: token });
      const tf = async (args: string[]): Promise<number> => {
        const r = await runTerraform(args, { cwd: dir, env });
        if (r.code !== 0) throw new Error(`terraform ${args[0]} failed: ${r.stderr}`);
        return r.durationMs;
      };
      await tf(["init", "-input=false", "-no-color"]);
      timings.plan.push(await tf(["plan", "-input=false", "-no-color", "-out=plan.bin"]));
      timings.apply.push(await tf(["apply", "-input=false", "-no-color", "plan.bin"]));
      timings.destroy.push(await tf(["destroy", "-auto-approve", "-input=false", "-no-color"]));
    }
  } finally {
    await sandbox.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const detail = "one postmark_domain against the sandbox, median of 3";
  return [
    {
      area: "provider",
      name: "start-up to handshake, SEA + snapshot (median of 25)",
      value: Math.round(median(starts)),
      target: 120,
      detail: `min ${Math.round(Math.min(...starts))} ms, max ${Math.round(Math.max(...starts))} ms; ${Math.round(fs.statSync(POSTMARK_PROVIDER_EXE).size / 1024 / 1024)} MiB`,
    },
    { area: "provider", name: "start-up to handshake, same bundle run by node (median of 25)", value: Math.round(median(nodeStarts)), detail: "for comparison: the pre-SEA launcher" },
    { area: "provider", name: "terraform plan (wall)", value: median(timings.plan), detail },
    { area: "provider", name: "terraform apply (wall)", value: median(timings.apply), detail },
    { area: "provider", name: "terraform destroy (wall)", value: median(timings.destroy), detail },
  ];
}
