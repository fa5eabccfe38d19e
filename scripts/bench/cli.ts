import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadPlatform, REPO_ROOT } from "../../platform/load";
import { partitionPostmarkTokenRef } from "../../platform/names";
import { startSandbox } from "../../sandbox/postmark/server";
import { median, type BenchFigure } from "./figure";

const BIN = path.join(REPO_ROOT, "bin", "arda-mail");

/** Wall time of one `bin/arda-mail` process, from spawn to exit (what an operator waits for). */
function timeBin(args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = process.hrtime.bigint();
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, NODE_ENV: "production", ...env } });
    let err = "";
    child.stderr.setEncoding("utf8").on("data", (c: string) => (err += c));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) reject(new Error(`arda-mail ${args.join(" ")} exited ${code}: ${err.slice(-500)}`));
      else resolve(Number(process.hrtime.bigint() - t) / 1e6);
    });
  });
}

/** `arda-mail --help` (manifest-backed) and `register` against a sandbox that already holds 1,000 domains. */
export async function run(): Promise<BenchFigure[]> {
  if (!fs.existsSync(path.join(REPO_ROOT, "oclif.manifest.json"))) throw new Error("oclif.manifest.json missing: run `npm run build`");
  await timeBin(["--help"]); // warm the file cache once
  const help: number[] = [];
  for (let i = 0; i < 7; i++) help.push(await timeBin(["--help"]));

  // The same request rendered by oclif itself (what a help request costs without the build-time cache).
  const oclifHelp: number[] = [];
  for (let i = 0; i < 3; i++) oclifHelp.push(await timeBin(["register", "--help"], { ARDA_MAIL_NO_HELP_CACHE: "1" }));

  const token = "bench-account-token-0000000000";
  const sandbox = await startSandbox({ accountToken: token, dkimBits: 1024 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "arda-bench-cli-"));
  try {
    await sandbox.admin.seedDomains(1000, "tenant", "bench.example");
    const platform = loadPlatform("sandbox");
    const secrets = path.join(dir, "secrets.json");
    fs.writeFileSync(secrets, JSON.stringify(Object.fromEntries(platform.partitions.map((p) => [partitionPostmarkTokenRef(p), token]))));
    const ctx = path.join(dir, "cdktf.json");
    fs.writeFileSync(ctx, '{\n  "context": {}\n}\n');
    const flags = ["--platform", "sandbox", "--secrets", `file:${secrets}`, "--postmark-url", sandbox.url, "--context-file", ctx];
    // Each partition is a fresh create (list 2 pages + POST + write); then one idempotent re-run.
    const creates: number[] = [];
    for (const [infra, part] of [
      ["Alpha002", "dev"],
      ["Alpha002", "stage"],
      ["Alpha001", "demo"],
      ["Alpha001", "prod"],
    ]) {
      creates.push(await timeBin(["register", infra, part, ...flags]));
    }
    const rerun = await timeBin(["register", "Alpha002", "dev", ...flags]);
    return [
      { area: "cli", name: "arda-mail --help (wall, median of 7)", value: Math.round(median(help)), target: 300 },
      { area: "cli", name: "arda-mail register --help rendered by oclif, no cache (wall, median of 3)", value: Math.round(median(oclifHelp)) },
      {
        area: "cli",
        name: "register, sandbox holding 1,000 domains (wall, median of 4 creates)",
        value: Math.round(median(creates)),
        target: 1500,
        detail: `runs ${creates.map(Math.round).join("/")} ms`,
      },
      { area: "cli", name: "register re-run, nothing to change (wall)", value: Math.round(rerun), target: 1500 },
    ];
  } finally {
    await sandbox.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
