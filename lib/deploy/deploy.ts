/**
 * `arda-mail deploy`: one partition — order check, pre-flight, register, synth + terraform plan,
 * destructive-change guard, production confirmation, apply (skipped offline), verify, rollout
 * record — and the whole cascade (`--all`: dev → stage ∥ demo → prod). Every step is timed and
 * reported; the first failing step stops the partition and fails the command.
 *
 * Secrets reach Terraform only as `TF_VAR_*` environment variables of the child process (declared
 * sensitive + ephemeral in the stack): never a file, never argv.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { partitionContextKey, readContext, requireMailEntry } from "../../platform/mail-context";
import type { Partition, Platform } from "../../platform/model";
import { infrastructure, partitionDomain, partitionStackName } from "../../platform/names";
import { partitionTarget as registerTarget, registerDomain } from "../../cli/lib/register-flow";
import { planOffline } from "../../scripts/plan-offline";
import { synthPlatform } from "../../scripts/synth";
import { formatPlan, planCounts, type PlanCounts, type PlanJson } from "../plan-summary";
import { publishStack } from "../dns/publish";
import type { PostmarkClient } from "../postmark/client";
import { cascadeWaves, isProduction, orderViolation, readRollout, recordRollout, updateRollout } from "../rollout/state";
import type { SecretStore } from "../secrets/store";
import { runTerraform, TerraformInterrupted, terraformEnv, terraformOrThrow } from "../terraform";
import { dnsReader } from "../verify/dns-reader";
import { formatReport, partitionTarget as verifyTarget, verifyDomain, type OutputsSource, type VerifyReport } from "../verify/verify";
import { preflight } from "./preflight";
import { StepError, type PartitionDeployResult, type StepResult } from "./types";

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
  /** Directory of a running local DNS server (sandbox): the synthesized records are published there instead of Route53. */
  readonly localDnsDir?: string;
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
}

/** Steps after which the deployed stack may differ from what was verified (an interrupt there unverifies). */
const CHANGING_STEPS = new Set(["apply", "dns-publish", "verify"]);

async function runStep<T>(steps: StepResult[], name: string, ctx: DeployContext, label: string, fn: () => Promise<{ value: T; detail: string; outcome?: "ok" | "skipped" }>, p?: Partition): Promise<T> {
  const t = Date.now();
  if (ctx.signal?.aborted) {
    // Stopped between steps: this one never starts.
    const signal = String(ctx.signal.reason) as "SIGINT" | "SIGTERM";
    steps.push({ step: name, outcome: "interrupted", startedAt: t, durationMs: 0, detail: `not started: interrupted by ${signal}` });
    if (p) await recordInterruption(ctx, p, name, signal);
    throw new StepStop();
  }
  ctx.progress(`${label}: ${name}…`);
  try {
    const r = await fn();
    steps.push({ step: name, outcome: r.outcome ?? "ok", startedAt: t, durationMs: Date.now() - t, detail: r.detail });
    ctx.progress(`${label}: ${name} ${r.outcome ?? "ok"} (${((Date.now() - t) / 1000).toFixed(1)} s) — ${r.detail}`);
    return r.value;
  } catch (e) {
    if (e instanceof StepStop) throw e;
    if (ctx.signal?.aborted) {
      const signal = String(ctx.signal.reason) as "SIGINT" | "SIGTERM";
      const detail = `interrupted by ${signal} during ${name}${e instanceof TerraformInterrupted ? ": terraform stopped and released its lock" : `: ${(e as Error).message}`}`;
      steps.push({ step: name, outcome: "interrupted", startedAt: t, durationMs: Date.now() - t, detail });
      ctx.progress(`${label}: ${name} INTERRUPTED — ${detail}`);
      if (p) await recordInterruption(ctx, p, name, signal);
      throw new StepStop();
    }
    const outcome = e instanceof StepError ? e.outcome : "failed";
    const detail = `${(e as Error).message}${e instanceof StepError && e.next ? `\nNext: ${e.next}` : ""}`;
    steps.push({ step: name, outcome, startedAt: t, durationMs: Date.now() - t, detail });
    ctx.progress(`${label}: ${name} ${outcome.toUpperCase()} — ${detail}`);
    throw new StepStop();
  }
}

/** The rollout record notes an interrupted attempt; one interrupted where the stack may have changed is no longer verified. */
async function recordInterruption(ctx: DeployContext, p: Partition, stepName: string, signal: "SIGINT" | "SIGTERM"): Promise<void> {
  const at = new Date().toISOString();
  const mode = ctx.offline ? "planned-offline" : "applied";
  try {
    await updateRollout(ctx.rolloutFile, ctx.platform, p, (cur) => ({
      ...(cur ?? { verified: false, at, mode }),
      ...(CHANGING_STEPS.has(stepName) || !cur ? { verified: false, at, mode } : {}),
      interrupted: { step: stepName, signal, at },
    }));
  } catch (e) {
    ctx.progress(`  could not note the interruption in ${ctx.rolloutFile}: ${(e as Error).message}`);
  }
}

class StepStop extends Error {}

export async function deployPartition(ctx: DeployContext, p: Partition): Promise<PartitionDeployResult> {
  const label = `${p.infrastructure}/${p.name}`;
  const stack = partitionStackName(p);
  const steps: StepResult[] = [];
  const result: { registered?: PartitionDeployResult["registered"]; plan?: PlanCounts; verify?: VerifyReport } = {};
  const dir = path.join(ctx.workDir, stack);
  fs.mkdirSync(dir, { recursive: true });
  // Every step of this partition knows the partition (an interrupt is noted in its rollout record).
  const step = <T>(steps_: StepResult[], name: string, c: DeployContext, l: string, fn: () => Promise<{ value: T; detail: string; outcome?: "ok" | "skipped" }>): Promise<T> => runStep(steps_, name, c, l, fn, p);
  try {
    await step(steps, "order", ctx, label, async () => {
      const why = orderViolation(ctx.platform, p, readRollout(ctx.rolloutFile, ctx.platform));
      if (why) throw new StepError(why, "refused", `deploy the earlier partitions first (arda-mail deploy --all walks the cascade); the record is ${ctx.rolloutFile}`);
      return { value: undefined, detail: "rollout order satisfied (DQ-R1-021)" };
    });

    const secrets = await step(steps, "preflight", ctx, label, async () => {
      const r = await preflight({
        platform: ctx.platform,
        partition: p,
        awsConfigFile: ctx.awsConfigFile,
        secrets: ctx.secrets,
        contextFile: ctx.contextFile,
        offline: ctx.offline,
        getDomain: (token, id) => {
          ctx.remember(token);
          return ctx.client(token).getDomain(id);
        },
      });
      if (r.secrets) {
        ctx.remember(r.secrets.postmarkAccountToken);
        ctx.remember(r.secrets.keyRegistry);
      }
      const failed = r.checks.filter((c) => !c.ok);
      if (failed.length || !r.secrets) {
        throw new StepError(`pre-flight failed, nothing was changed:\n${failed.map((c) => `  - ${c.check}: ${c.detail}`).join("\n")}`, "failed", failed.map((c) => c.fix).filter(Boolean).join("; "));
      }
      return { value: r.secrets, detail: r.checks.map((c) => `${c.check} ok`).join(", ") };
    });

    await step(steps, "register", ctx, label, async () => {
      const r = await registerDomain({ target: registerTarget(ctx.platform, p.infrastructure, p.name), client: ctx.client(secrets.postmarkAccountToken), contextFile: ctx.contextFile, dryRun: ctx.planOnly, update: false, progress: (l) => ctx.progress(`  ${l}`) });
      result.registered = { domain: r.domain, postmark: r.postmark, context: r.context, domainId: r.entry?.domainId, dkimSelector: r.entry?.dkimSelector };
      if (r.context === "differs-not-written") throw new StepError(`Postmark's values for ${r.domain} differ from ${r.contextKey}: ${(r.differences ?? []).join("; ")}`, "failed", `run \`arda-mail register ${p.infrastructure} ${p.name} --update\`, review and commit the context`);
      return { value: r, detail: `${r.domain}: Postmark ${r.postmark}${r.entry ? ` (ID ${r.entry.domainId}, DKIM ${r.entry.dkimSelector})` : ""}, context ${r.context}` };
    });

    const tfVars: NodeJS.ProcessEnv = { TF_VAR_postmark_account_token: secrets.postmarkAccountToken, TF_VAR_email_encryption_key_registry: secrets.keyRegistry };
    const planned = await step(steps, "plan", ctx, label, async () => {
      const planDir = path.join(dir, "out");
      let planJson: PlanJson;
      let stackDir: string;
      if (ctx.offline) {
        const [s] = await planOffline({ platformName: ctx.platform.name, outdir: planDir, contextFile: ctx.contextFile, stacks: [stack], variables: tfVars, env: ctx.env, hcl: false, concurrency: 1, signal: ctx.signal });
        planJson = JSON.parse(fs.readFileSync(s.planFile, "utf8")) as PlanJson;
        stackDir = path.join(planDir, "stacks", stack);
        if (ctx.verbose) {
          const shown = await runTerraform(["show", "-no-color", "offline.tfplan"], { cwd: stackDir, env: terraformEnv({}, ctx.env), signal: ctx.signal });
          ctx.progress(shown.stdout);
        }
      } else {
        stackDir = synthPlatform({ platformName: ctx.platform.name, outdir: planDir, contextFile: ctx.contextFile, stacks: [stack], hcl: false, env: ctx.env }).stackDirs[stack];
        const infra = infrastructure(ctx.platform, p.infrastructure);
        const env = terraformEnv({ ...tfVars, AWS_PROFILE: infra.awsProfile ?? "", AWS_REGION: infra.region, AWS_CONFIG_FILE: ctx.awsConfigFile }, ctx.env);
        const tee = { signal: ctx.signal, ...(ctx.verbose ? { onStdout: (c: string) => ctx.progress(c.trimEnd()), onStderr: (c: string) => ctx.progress(c.trimEnd()) } : {}) };
        await terraformOrThrow(["init", "-input=false", "-no-color"], { cwd: stackDir, env, ...tee });
        await terraformOrThrow(["plan", "-input=false", "-no-color", "-out=deploy.tfplan"], { cwd: stackDir, env, ...tee });
        planJson = JSON.parse((await terraformOrThrow(["show", "-json", "deploy.tfplan"], { cwd: stackDir, env, signal: ctx.signal })).stdout) as PlanJson;
      }
      const counts = planCounts(planJson);
      result.plan = counts;
      return { value: { planJson, stackDir, counts }, detail: `${stack}: ${formatPlan(counts)}${ctx.offline ? " (offline plan)" : ""}` };
    });

    await step(steps, "destructive-check", ctx, label, async () => {
      if (planned.counts.destructive.length && !ctx.allowDestructive) {
        throw new StepError(`the plan destroys or replaces ${planned.counts.destructive.join(", ")}: a zone or the key secret is never removed silently`, "refused", "review the plan; re-run with --allow-destructive-changes only if that is intended");
      }
      return { value: undefined, detail: planned.counts.destructive.length ? `allowed by --allow-destructive-changes: ${planned.counts.destructive.join(", ")}` : "no zone or key secret destroyed or replaced" };
    });

    if (ctx.planOnly) {
      steps.push({ step: "apply", outcome: "skipped", startedAt: Date.now(), durationMs: 0, detail: "--plan-only: stopped after the plan" });
      return { partition: label, stack, ok: true, steps, ...result };
    }

    if (isProduction(p)) {
      await step(steps, "confirm-production", ctx, label, async () => {
        if (!(await ctx.confirmProduction(p, planned.counts))) throw new StepError(`production deploy of ${stack} not confirmed (plan: ${formatPlan(planned.counts)})`, "refused", "re-run with --confirm-production, or answer the prompt in an interactive terminal");
        return { value: undefined, detail: `confirmed (plan: ${formatPlan(planned.counts)})` };
      });
    }

    await step(steps, "apply", ctx, label, async () => {
      if (ctx.offline) return { value: undefined, outcome: "skipped", detail: "offline: terraform apply cannot reach AWS here — nothing applied" };
      const infra = infrastructure(ctx.platform, p.infrastructure);
      const env = terraformEnv({ ...tfVars, AWS_PROFILE: infra.awsProfile ?? "", AWS_REGION: infra.region, AWS_CONFIG_FILE: ctx.awsConfigFile }, ctx.env);
      await terraformOrThrow(["apply", "-input=false", "-no-color", "deploy.tfplan"], { cwd: planned.stackDir, env, signal: ctx.signal, ...(ctx.verbose ? { onStdout: (c: string) => ctx.progress(c.trimEnd()) } : {}) });
      return { value: undefined, detail: `applied ${stack}` };
    });

    const entry = requireMailEntry(readContext(ctx.contextFile), partitionContextKey(p), partitionDomain(ctx.platform, p), ctx.contextFile);
    if (ctx.localDnsDir) {
      await step(steps, "dns-publish", ctx, label, async () => {
        const r = await publishStack(ctx.localDnsDir!, ctx.platform, stack, planned.stackDir, new Map([[partitionDomain(ctx.platform, p), entry]]));
        return { value: undefined, detail: `${r.records} synthesized records published to the local DNS server (stand-in for Route53)` };
      });
    }

    await step(steps, "verify", ctx, label, async () => {
      const outputs: OutputsSource = ctx.offline
        ? { kind: "plan", names: [...new Set([...Object.keys(planned.planJson.output_changes ?? {}), ...Object.keys(planned.planJson.planned_values?.outputs ?? {})])] }
        : { kind: "state", names: Object.keys(JSON.parse((await terraformOrThrow(["output", "-json"], { cwd: planned.stackDir, env: terraformEnv({}, ctx.env), signal: ctx.signal })).stdout) as object) };
      const r = await verifyDomain(verifyTarget(ctx.platform, p, entry), {
        dns: dnsReader(ctx.resolver, { parentServer: ctx.parentServer }),
        postmark: ctx.client(secrets.postmarkAccountToken),
        outputs,
        attempts: ctx.verifyAttempts ?? 5,
        delayMs: ctx.verifyDelayMs ?? 3000,
      });
      result.verify = r;
      await recordRollout(ctx.rolloutFile, ctx.platform, p, {
        verified: r.ok,
        at: new Date().toISOString(),
        mode: ctx.offline ? "planned-offline" : "applied",
        plan: { add: planned.counts.add, change: planned.counts.change, destroy: planned.counts.destroy },
        ...(r.ok ? {} : { failedChecks: r.checks.filter((c) => !c.ok).map((c) => c.check) }),
      });
      if (!r.ok) throw new StepError(formatReport(r), "failed", `fix the failing records and run \`arda-mail verify ${p.infrastructure} ${p.name}\``);
      return { value: r, detail: `${r.checks.length} checks passed via ${r.resolver}; recorded verified in ${path.basename(ctx.rolloutFile)}` };
    });

    return { partition: label, stack, ok: true, steps, ...result };
  } catch (e) {
    if (!(e instanceof StepStop)) throw e;
    return { partition: label, stack, ok: false, steps, ...result };
  }
}

export interface CascadeResult {
  readonly ok: boolean;
  readonly wallMs: number;
  readonly partitions: PartitionDeployResult[];
}

/** `deploy --all`: waves in order, each wave's partitions in parallel (or one by one); stops at the first failed wave. */
export async function deployCascade(ctx: DeployContext, opts: { parallel: boolean } = { parallel: true }): Promise<CascadeResult> {
  const t = Date.now();
  const out: PartitionDeployResult[] = [];
  for (const wave of cascadeWaves(ctx.platform)) {
    ctx.progress(`— wave: ${wave.map((p) => p.name).join(opts.parallel ? " ∥ " : ", ")}`);
    const results = opts.parallel ? await Promise.all(wave.map((p) => deployPartition(ctx, p))) : await sequential(wave.map((p) => () => deployPartition(ctx, p)));
    out.push(...results);
    if (results.some((r) => !r.ok)) {
      ctx.progress(`cascade stopped: ${results.filter((r) => !r.ok).map((r) => r.partition).join(", ")} failed`);
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

