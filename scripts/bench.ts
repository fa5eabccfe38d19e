/**
 * `npm run bench [-- --only area,area]`: runs every `scripts/bench/<area>.js` section (each exports
 * `run(): Promise<BenchFigure[]>`) one after another and prints one table. A benchmark, not a test:
 * figures are reported, targets are shown beside them.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { BenchFigure } from "./bench/figure";

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const only = argv.includes("--only") ? argv[argv.indexOf("--only") + 1].split(",") : undefined;
  const dir = path.join(__dirname, "bench");
  const sections = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".js") && f !== "figure.js")
    .map((f) => f.replace(/\.js$/, ""))
    .filter((s) => !only || only.includes(s));
  const figures: BenchFigure[] = [];
  let failed = 0;
  for (const s of sections) {
    process.stderr.write(`bench: ${s} …\n`);
    try {
      const mod = (await import(path.join(dir, `${s}.js`))) as { run?: () => Promise<BenchFigure[]> };
      if (typeof mod.run !== "function") continue;
      figures.push(...(await mod.run()));
    } catch (e) {
      failed++;
      process.stderr.write(`bench: ${s} failed: ${(e as Error).message}\n`);
    }
  }
  const rows = figures.map((f) => {
    const unit = f.unit ?? "ms";
    const value = unit === "ms" ? f.value.toFixed(1) : String(f.value);
    const target = f.target === undefined ? "" : `${f.value <= f.target ? "ok  " : "MISS"} < ${f.target} ${unit}`;
    return `${f.area.padEnd(9)} ${f.name.padEnd(72)} ${value.padStart(10)} ${unit.padEnd(4)} ${target}${f.detail ? `  (${f.detail})` : ""}`;
  });
  process.stdout.write(`${rows.join("\n")}\n`);
  if (failed) process.exitCode = 1;
}

main().catch((e: Error) => {
  process.stderr.write(`bench failed: ${e.message}\n`);
  process.exit(1);
});
