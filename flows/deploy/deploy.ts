/**
 * `arda-mail deploy`: one partition — order check, pre-flight, register, synth + terraform plan,
 * destructive-change guard, production confirmation, apply (skipped offline), verify, rollout
 * record — and the whole cascade (`--all`: dev → stage ∥ demo → prod). Every step is timed and
 * reported (steps.ts); the first failing step stops the partition and fails the command. The steps
 * themselves are in partition-steps.ts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { partitionContextKey, readContext, requireMailEntry } from "../../platform/mail-context";
import type { Partition } from "../../platform/model";
import { partitionDomain, partitionStackName } from "../../platform/names";
import type { PlanCounts } from "../../lib/plan-summary";
import { cascadeWaves, isProduction } from "../../lib/rollout/state";
import type { VerifyReport } from "../verify";
import { applyStep, confirmProductionStep, destructiveStep, orderStep, planStep, preflightStep, publishDnsStep, registerStep, requireCurrentContext, verifyStep } from "./partition-steps";
import { interruptionOf } from "./interruption";
import { StepLog, StepStop } from "./steps";
import { deployAllForReal, deployStackForReal } from "./real";
import type { DeployContext, PartitionDeployResult } from "./types";

export type { DeployContext } from "./types";

export async function deployPartition(ctx: DeployContext, p: Partition): Promise<PartitionDeployResult> {
  // A real deploy (AWS, or the sandbox's local AWS) applies as synthesized: real.ts. What follows is the offline plan.
  if (!ctx.offline) return deployStackForReal(ctx, { kind: "partition", partition: p });
  const label = `${p.infrastructure}/${p.name}`;
  const stack = partitionStackName(p);
  const log = new StepLog(label, ctx.progress, interruptionOf(ctx, p));
  const result: { registered?: PartitionDeployResult["registered"]; plan?: PlanCounts; verify?: VerifyReport } = {};
  const done = (ok: boolean): PartitionDeployResult => ({ partition: label, stack, ok, steps: log.steps, ...result });
  const dir = path.join(ctx.workDir, stack);
  fs.mkdirSync(dir, { recursive: true });
  try {
    await log.run("order", async () => orderStep(ctx, p));
    const secrets = await log.run("preflight", () => preflightStep(ctx, p));
    await log.run("register", async () => {
      const registered = await registerStep(ctx, p, secrets);
      const r = registered.value;
      result.registered = { domain: r.domain, postmark: r.postmark, context: r.context, domainId: r.entry?.domainId, dkimSelector: r.entry?.dkimSelector };
      requireCurrentContext(p, r);
      return registered;
    });
    const planned = await log.run("plan", () => planStep(ctx, p, secrets, dir));
    result.plan = planned.counts;
    await log.run("destructive-check", async () => destructiveStep(ctx, planned));
    if (ctx.planOnly) {
      log.skipped("apply", "--plan-only: stopped after the plan");
      return done(true);
    }
    if (isProduction(p)) await log.run("confirm-production", () => confirmProductionStep(ctx, p, planned));
    await log.run("apply", async () => applyStep());
    const entry = requireMailEntry(readContext(ctx.contextFile), partitionContextKey(p), partitionDomain(ctx.platform, p), ctx.contextFile);
    if (ctx.publishDns) await log.run("dns-publish", () => publishDnsStep(ctx, p, planned, entry));
    result.verify = await log.run("verify", () => verifyStep(ctx, p, secrets, planned, entry));
    return done(true);
  } catch (e) {
    if (!(e instanceof StepStop)) throw e;
    return done(false);
  }
}

export interface CascadeResult {
  readonly ok: boolean;
  readonly wallMs: number;
  readonly partitions: PartitionDeployResult[];
}

/** `deploy --all` offline: waves in order, each wave's partitions in parallel (or one by one); stops at the first failed wave. */
export async function deployCascade(ctx: DeployContext, opts: { parallel: boolean } = { parallel: true }): Promise<CascadeResult> {
  // For real, the cascade starts at Root: Root → {Corporate, dev} → {stage, demo} → prod.
  if (!ctx.offline) return deployAllForReal(ctx, opts);
  const t = Date.now();
  const out: PartitionDeployResult[] = [];
  for (const wave of cascadeWaves(ctx.platform)) {
    ctx.progress(`— wave: ${wave.map((p) => p.name).join(opts.parallel ? " ∥ " : ", ")}`);
    const results = opts.parallel ? await Promise.all(wave.map((p) => deployPartition(ctx, p))) : await sequential(wave.map((p) => () => deployPartition(ctx, p)));
    out.push(...results);
    if (results.some((r) => !r.ok)) {
      ctx.progress(
        `cascade stopped: ${results
          .filter((r) => !r.ok)
          .map((r) => r.partition)
          .join(", ")} failed`,
      );
      return { ok: false, wallMs: Date.now() - t, partitions: out };
    }
  }
  return { ok: true, wallMs: Date.now() - t, partitions: out };
}

async function sequential<T>(fns: Array<() => Promise<T>>): Promise<T[]> {
  const out: T[] = [];
  for (const f of fns) out.push(await f());
  return out;
}
