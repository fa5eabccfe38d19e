/**
 * Rollout cascade figures: `arda-mail demo`'s cascade (dev → stage ∥ demo → prod) on the embedded
 * sandbox — register, synth, real offline terraform plan, DNS publish to Knot, verify — wall time
 * with the parallel stage ∥ demo wave and with the partitions one by one. Also knotd start-up.
 */
import * as fs from "node:fs";
import { runDemoCascade } from "../../sandbox/demo";
import { findKnotd, startDnsServer } from "../../sandbox/dns/knot";
import { assembleZones } from "../../sandbox/dns/zone";
import { BenchFigure, median, timeIt } from "./figure";

export async function run(): Promise<BenchFigure[]> {
  const area = "cascade";
  if (!findKnotd()) return [{ area, name: "cascade (skipped: Knot DNS not installed)", value: 0 }];
  const figures: BenchFigure[] = [];
  const starts: number[] = [];
  for (let i = 0; i < 5; i++) {
    let stop: () => Promise<void> = async () => undefined;
    starts.push(await timeIt(async () => ({ stop } = await startDnsServer(assembleZones(["ardamails.com", "dev.ardamails.com"], [])))));
    await stop();
  }
  figures.push({ area, name: "knotd start until serving (2 zones)", value: median(starts), detail: "median of 5" });
  for (const parallel of [true, false]) {
    const { env, result } = await runDemoCascade({ parallel, progress: () => undefined });
    await env.close();
    fs.rmSync(env.dir, { recursive: true, force: true });
    if (!result.ok) throw new Error(`cascade (${parallel ? "parallel" : "sequential"}) failed`);
    const waveOf = (name: string): number => {
      const p = result.partitions.find((x) => x.partition.endsWith(`/${name}`))!;
      return p.steps.reduce((s, x) => s + x.durationMs, 0);
    };
    figures.push({
      area,
      name: `deploy --all on the sandbox, ${parallel ? "stage ∥ demo (parallel)" : "one by one (sequential)"}`,
      value: result.wallMs,
      detail: `4 partitions, offline plans; per partition: dev ${(waveOf("dev") / 1000).toFixed(1)} s, stage ${(waveOf("stage") / 1000).toFixed(1)} s, demo ${(waveOf("demo") / 1000).toFixed(1)} s, prod ${(waveOf("prod") / 1000).toFixed(1)} s`,
    });
  }
  return figures;
}
