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
import type { Infrastructure, Partition, Platform } from "../../platform/model";
import type { SecretValueReader } from "../../lib/aws/secrets";
import { partitionDomain, partitionStackName } from "../../platform/names";
import type { PlanCounts } from "../../lib/plan-summary";
import type { PostmarkClient } from "../../lib/postmark/client";
import { cascadeWaves, isProduction } from "../../lib/rollout/state";
import type { SecretStore } from "../../lib/secrets/store";
import type { VerifyReport } from "../verify";
import { applyStep, confirmProductionStep, destructiveStep, orderStep, planStep, preflightStep, publishDnsStep, registerStep, requireCurrentContext, verifyStep } from "./partition-steps";
import { interruptionOf } from "./interruption";
import { StepLog, StepStop } from "./steps";
import { deployAllForReal, deployStackForReal, type DnsFollowHook } from "./real";
import type { PartitionDeployResult, PublishDns } from "./types";

export interface DeployContext {
  readonly platform: Platform;
  readonly contextFile: string;
  readonly secrets: SecretStore;
  readonly client: (token: string) => PostmarkClient;
  readonly awsConfigFile: string;
  /** Offline: plan with fake credentials and a local override state; apply is skipped. */
  readonly offline: boolean;
  /** `ip:port` for verify's DNS reads (default: the system resolver). */
  readonly resolver?: string;
  /** `ip:port` of the parent zone's server for the NS delegation check (default: the parent's NS, port 53). */
  readonly parentServer?: string;
  /** Rehearsal hook (sandbox): publish the stack's records to a local DNS server before verify. */
  readonly publishDns?: PublishDns;
  readonly planOnly: boolean;
  readonly allowDestructive: boolean;
  readonly verbose: boolean;
  /** Asked before prod changes; resolves true to go ahead (flag or interactive prompt). */
  readonly confirmProduction: (p: Partition, plan: PlanCounts) => Promise<boolean>;
  readonly rolloutFile: string;
  /** Scratch directory for synthesized stacks and plans. */
  readonly workDir: string;
  readonly progress: (line: string) => void;
  /** Register a secret value for scrubbing. */
  readonly remember: (secret: string) => void;
  readonly verifyAttempts?: number;
  readonly verifyDelayMs?: number;
  readonly env: NodeJS.ProcessEnv;
  /**
   * Aborted (reason: the signal name) when the operator interrupts: every running terraform gets
   * one SIGINT, the running step ends as `interrupted`, no further step starts.
   */
  readonly signal?: AbortSignal;
  /** Where local-backend state lives (default: the repository); a rehearsal keeps it in its scratch directory. */
  readonly stateRoot?: string;
  /** The Postmark API the Terraform provider talks to (its POSTMARK_API_URL); default Postmark's own. */
  readonly postmarkUrl?: string;
  /** Rehearsal hook (sandbox, real apply): serve the local AWS's Route53 from the local DNS while a stack applies. */
  readonly followDns?: DnsFollowHook;
  /** Secrets Manager's current values (default: the AWS SDK with the model's profile; endpoint from the env). */
  readonly secretsReader?: (infra: Infrastructure) => SecretValueReader;
}

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
