/**
 * Rollout cascade figures: `arda-mail demo`'s cascade on the embedded sandbox, wall time with the
 * parallel steps and one stack at a time — offline (dev → stage ∥ demo → prod: register, synth,
 * offline plan, DNS publish, verify) and applied to the local AWS (Root → {Corporate, dev} →
 * {stage, demo} → prod: apply, second plan, verify), with the apply time of each stack. Also knotd start-up.
 */
import * as fs from "node:fs";
import type { CascadeResult } from "../../flows/deploy/deploy";
import { ownTimeMs } from "../../flows/deploy/steps";
import { findMotoServer } from "../../sandbox/aws/moto";
import { runDemoCascade } from "../../sandbox/demo";
import { findKnotd, startDnsServer } from "../../sandbox/dns/knot";
import { assembleZones } from "../../sandbox/dns/zone";
import { BenchFigure, median, timeIt } from "./figure";

/** The sandbox of a finished cascade stopped and removed — also when the cascade failed (its daemons would keep the bench alive). */
async function closed<T extends { env: { close(): Promise<void>; dir: string } }>(run: T): Promise<T> {
  await run.env.close();
  fs.rmSync(run.env.dir, { recursive: true, force: true });
  return run;
}

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
  const stepMs = (r: CascadeResult, stack: string, step: string): number => r.partitions.find((p) => p.stack === stack)?.steps.find((x) => x.step === step)?.durationMs ?? 0;
  const totalMs = (r: CascadeResult, stack: string): number => ownTimeMs(r.partitions.find((p) => p.stack === stack)!.steps);
  if (findMotoServer()) {
    for (const parallel of [true, false]) {
      const { result } = await runDemoCascade({ parallel, progress: () => undefined }).then(closed);
      if (!result.ok) throw new Error(`applied cascade (${parallel ? "parallel" : "sequential"}) failed`);
      figures.push({
        area,
        name: `deploy --all applied to the local AWS, ${parallel ? "independent stacks in parallel" : "one stack at a time"}`,
        value: result.wallMs,
        target: parallel ? 180_000 : undefined,
        detail: `6 stacks, each: plan, apply, second plan, verify; per stack total (apply): ${result.partitions.map((p) => `${p.stack} ${(totalMs(result, p.stack) / 1000).toFixed(0)} s (${(stepMs(result, p.stack, "apply") / 1000).toFixed(0)} s)`).join(", ")}`,
      });
    }
  } else {
    figures.push({ area, name: "applied cascade (skipped: moto_server not installed)", value: 0 });
  }
  for (const parallel of [true, false]) {
    const { result } = await runDemoCascade({ parallel, offline: true, progress: () => undefined }).then(closed);
    if (!result.ok) throw new Error(`cascade (${parallel ? "parallel" : "sequential"}) failed`);
    const waveOf = (name: string): number => {
      const p = result.partitions.find((x) => x.partition.endsWith(`/${name}`))!;
      return p.steps.reduce((s, x) => s + x.durationMs, 0);
    };
    figures.push({
      area,
      name: `deploy --all offline on the sandbox, ${parallel ? "stage ∥ demo (parallel)" : "one by one (sequential)"}`,
      value: result.wallMs,
      detail: `4 partitions, offline plans; per partition: dev ${(waveOf("dev") / 1000).toFixed(1)} s, stage ${(waveOf("stage") / 1000).toFixed(1)} s, demo ${(waveOf("demo") / 1000).toFixed(1)} s, prod ${(waveOf("prod") / 1000).toFixed(1)} s`,
    });
  }
  return figures;
}
