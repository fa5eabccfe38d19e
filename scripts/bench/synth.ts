import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadPlatform, REPO_ROOT } from "../../platform/load";
import { partitionContextKey, corporateContextKey, readContext } from "../../platform/mail-context";
import { planOffline } from "../../flows/plan-offline";
import { median, type BenchFigure } from "./figure";

const MAIN = path.join(REPO_ROOT, "dist", "main.js");

/** Wall time of `node dist/main.js` (the CDKTF app, as `cdktf synth` runs it), in ms. */
function synthOnce(env: NodeJS.ProcessEnv): number {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "arda-mail-bench-synth-"));
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [MAIN], { env: { ...process.env, CDKTF_OUTDIR: outdir, ...env }, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`synth failed: ${r.stderr}`);
  fs.rmSync(outdir, { recursive: true, force: true });
  return ms;
}

/** A sandbox model with `n` generated partitions (alternating accounts) and their context entries. */
function generatedPlatform(n: number): { platformFile: string; contextFile: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `arda-mail-bench-${n}-`));
  const base = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "platform", "sandbox.platform.json"), "utf8"));
  const baseContext = readContext(path.join(REPO_ROOT, "platform", "sandbox.cdktf.json"));
  const platform = loadPlatform("sandbox", { env: {} });
  const sample = baseContext[partitionContextKey({ infrastructure: "Alpha002", name: "dev" })] as Record<string, unknown>;
  const context: Record<string, unknown> = { [corporateContextKey(platform)]: baseContext[corporateContextKey(platform)] };
  base.partitions = Array.from({ length: n }, (_, i) => {
    const name = `p${String(i + 1).padStart(3, "0")}`;
    const infrastructure = i % 2 ? "Alpha001" : "Alpha002";
    const selector = `2026110112${String(i).padStart(4, "0")}pm`;
    context[partitionContextKey({ infrastructure, name })] = {
      ...sample,
      domainId: 1000 + i,
      dkimSelector: selector,
      dkimHost: `${selector}._domainkey.${name}.${base.mailRootDomain}`,
      returnPathDomain: `pm-bounces.${name}.${base.mailRootDomain}`,
    };
    return { name, infrastructure, status: "active", postmarkAccount: i % 2 ? "PostmarkProd" : "PostmarkNonProd", vault: `Arda-Bench${i}OAM` };
  });
  const platformFile = path.join(dir, "bench.platform.json");
  const contextFile = path.join(dir, "context.json");
  fs.writeFileSync(platformFile, JSON.stringify(base));
  fs.writeFileSync(contextFile, JSON.stringify({ context }));
  return { platformFile, contextFile };
}

export async function run(): Promise<BenchFigure[]> {
  if (!fs.existsSync(MAIN)) throw new Error("dist/main.js missing: run `npm run build`");
  const figures: BenchFigure[] = [];
  synthOnce({}); // warm the file cache
  const runs = Array.from({ length: 7 }, () => synthOnce({ ARDA_MAIL_PLATFORM: "sandbox" }));
  figures.push({ area: "synth", name: "synth all 6 stacks (node dist/main.js), median of 7", value: median(runs), target: 2000 });

  for (const n of [10, 50, 100]) {
    const { platformFile, contextFile } = generatedPlatform(n);
    const times = Array.from({ length: 3 }, () => synthOnce({ ARDA_MAIL_PLATFORM_FILE: platformFile, ARDA_MAIL_CONTEXT_FILE: contextFile }));
    figures.push({ area: "synth", name: `synth with ${n} generated partitions (${n + 2} stacks), median of 3`, value: median(times), ...(n === 100 ? { target: 10000 } : {}) });
  }

  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "arda-mail-bench-plan-"));
  const plans = await planOffline({ platform: loadPlatform("sandbox", { env: {} }), outdir, concurrency: 1 });
  for (const p of plans) {
    figures.push({ area: "plan", name: `offline init+validate+plan+show ${p.stack}`, value: p.durationMs, detail: `validate ${p.validateMs} ms` });
  }
  figures.push({ area: "plan", name: "offline plan, all 6 stacks sequential (sum)", value: plans.reduce((a, p) => a + p.durationMs, 0) });
  return figures;
}
