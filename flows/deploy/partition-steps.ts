/**
 * The steps of one partition's deploy, one function each: they take the deploy context and what
 * the earlier steps produced, and return a StepValue (value + one-line detail) or throw a
 * StepError/FlowError carrying `next`. deploy.ts runs them in order.
 *
 * Secrets reach Terraform only as `TF_VAR_*` environment variables of the child process (declared
 * sensitive + ephemeral in the stack): never a file, never argv.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { MailContextEntry } from "../../platform/mail-context";
import type { Partition } from "../../platform/model";
import { partitionDomain, partitionStackName } from "../../platform/names";
import { dnsReader } from "../../lib/dns/reader";
import { formatPlan, planCounts, plannedOutputNames, type PlanCounts, type PlanJson } from "../../lib/plan-summary";
import { orderViolation, readRollout, recordRollout } from "../../lib/rollout/state";
import { runTerraform, terraformEnv, terraformOrThrow } from "../../lib/terraform";
import { planOffline } from "../plan-offline";
import { partitionTarget as registerTarget, registerDomain, type RegisterResult } from "../register";
import { formatReport, partitionTarget as verifyTarget, verifyDomain, type OutputsSource, type VerifyReport } from "../verify";
import type { DeployContext } from "./types";
import { preflight, type PreflightSecrets } from "./preflight";
import type { StepValue } from "./steps";
import { StepError } from "./types";

export interface PlannedStack {
  readonly planJson: PlanJson;
  readonly stackDir: string;
  readonly counts: PlanCounts;
}

export function orderStep(ctx: DeployContext, p: Partition): StepValue<void> {
  const why = orderViolation(ctx.platform, p, readRollout(ctx.rolloutFile, ctx.platform));
  if (why) throw new StepError(why, "refused", `deploy the earlier partitions first (arda-mail deploy --all walks the cascade); the record is ${ctx.rolloutFile}`);
  return { value: undefined, detail: "rollout order satisfied (DQ-R1-021)" };
}

export async function preflightStep(ctx: DeployContext, p: Partition): Promise<StepValue<PreflightSecrets>> {
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
    throw new StepError(
      `pre-flight failed, nothing was changed:\n${failed.map((c) => `  - ${c.check}: ${c.detail}`).join("\n")}`,
      "failed",
      failed
        .map((c) => c.fix)
        .filter(Boolean)
        .join("; "),
    );
  }
  return { value: r.secrets, detail: r.checks.map((c) => `${c.check} ok`).join(", ") };
}

export async function registerStep(ctx: DeployContext, p: Partition, secrets: PreflightSecrets): Promise<StepValue<RegisterResult>> {
  const r = await registerDomain({
    target: registerTarget(ctx.platform, p.infrastructure, p.name),
    client: ctx.client(secrets.postmarkAccountToken),
    contextFile: ctx.contextFile,
    dryRun: ctx.planOnly,
    update: false,
    progress: (l) => ctx.progress(`  ${l}`),
  });
  return { value: r, detail: `${r.domain}: Postmark ${r.postmark}${r.entry ? ` (ID ${r.entry.domainId}, DKIM ${r.entry.dkimSelector})` : ""}, context ${r.context}` };
}

/** A register that found Postmark's values differing from the committed context stops the deploy. */
export function requireCurrentContext(p: Partition, r: RegisterResult): void {
  if (r.context === "differs-not-written") {
    throw new StepError(
      `Postmark's values for ${r.domain} differ from ${r.contextKey}: ${(r.differences ?? []).join("; ")}`,
      "failed",
      `run \`arda-mail register ${p.infrastructure} ${p.name} --update\`, review and commit the context`,
    );
  }
}

/** The sensitive variables of a partition stack, for the Terraform child's environment only. */
export function secretVariables(secrets: PreflightSecrets): NodeJS.ProcessEnv {
  return { TF_VAR_postmark_account_token: secrets.postmarkAccountToken, TF_VAR_email_encryption_key_registry: secrets.keyRegistry };
}

export async function planStep(ctx: DeployContext, p: Partition, secrets: PreflightSecrets, workDir: string): Promise<StepValue<PlannedStack>> {
  const stack = partitionStackName(p);
  const planDir = path.join(workDir, "out");
  const tfVars = secretVariables(secrets);
  const planned = await offlinePlan(ctx, stack, planDir, tfVars);
  return { value: planned, detail: `${stack}: ${formatPlan(planned.counts)} (offline plan)` };
}

async function offlinePlan(ctx: DeployContext, stack: string, planDir: string, tfVars: NodeJS.ProcessEnv): Promise<PlannedStack> {
  const [s] = await planOffline({
    platform: ctx.platform,
    outdir: planDir,
    contextFile: ctx.contextFile,
    stacks: [stack],
    variables: tfVars,
    env: ctx.env,
    hcl: false,
    concurrency: 1,
    signal: ctx.signal,
  });
  const planJson = JSON.parse(fs.readFileSync(s.planFile, "utf8")) as PlanJson;
  const stackDir = path.join(planDir, "stacks", stack);
  if (ctx.verbose) {
    const shown = await runTerraform(["show", "-no-color", "offline.tfplan"], { cwd: stackDir, env: terraformEnv({}, ctx.env), signal: ctx.signal });
    ctx.progress(shown.stdout);
  }
  return { planJson, stackDir, counts: planCounts(planJson) };
}

export function destructiveStep(ctx: DeployContext, planned: PlannedStack): StepValue<void> {
  const { destructive } = planned.counts;
  if (destructive.length && !ctx.allowDestructive) {
    throw new StepError(
      `the plan destroys or replaces ${destructive.join(", ")}: a zone or the key secret is never removed silently`,
      "refused",
      "review the plan; re-run with --allow-destructive-changes only if that is intended",
    );
  }
  return { value: undefined, detail: destructive.length ? `allowed by --allow-destructive-changes: ${destructive.join(", ")}` : "no zone or key secret destroyed or replaced" };
}

export async function confirmProductionStep(ctx: DeployContext, p: Partition, planned: PlannedStack): Promise<StepValue<void>> {
  if (!(await ctx.confirmProduction(p, planned.counts))) {
    throw new StepError(
      `production deploy of ${partitionStackName(p)} not confirmed (plan: ${formatPlan(planned.counts)})`,
      "refused",
      "re-run with --confirm-production, or answer the prompt in an interactive terminal",
    );
  }
  return { value: undefined, detail: `confirmed (plan: ${formatPlan(planned.counts)})` };
}

/** Offline, nothing reaches AWS: the apply step says so (a real deploy applies in real.ts). */
export function applyStep(): StepValue<void> {
  return { value: undefined, outcome: "skipped", detail: "offline: terraform apply cannot reach AWS here — nothing applied" };
}

export async function publishDnsStep(ctx: DeployContext, p: Partition, planned: PlannedStack, entry: MailContextEntry): Promise<StepValue<void>> {
  const detail = await ctx.publishDns!({ platform: ctx.platform, stack: partitionStackName(p), stackDir: planned.stackDir, entries: new Map([[partitionDomain(ctx.platform, p), entry]]) });
  return { value: undefined, detail };
}

export async function verifyStep(ctx: DeployContext, p: Partition, secrets: PreflightSecrets, planned: PlannedStack, entry: MailContextEntry): Promise<StepValue<VerifyReport>> {
  const outputs: OutputsSource = ctx.offline
    ? { kind: "plan", names: plannedOutputNames(planned.planJson) }
    : { kind: "state", names: Object.keys(JSON.parse((await terraformOrThrow(["output", "-json"], { cwd: planned.stackDir, env: terraformEnv({}, ctx.env), signal: ctx.signal })).stdout) as object) };
  const r = await verifyDomain(verifyTarget(ctx.platform, p, entry), {
    dns: dnsReader(ctx.resolver, { parentServer: ctx.parentServer }),
    postmark: ctx.client(secrets.postmarkAccountToken),
    outputs,
    attempts: ctx.verifyAttempts ?? 5,
    delayMs: ctx.verifyDelayMs ?? 3000,
  });
  await recordRollout(ctx.rolloutFile, ctx.platform, p, {
    verified: r.ok,
    at: new Date().toISOString(),
    mode: ctx.offline ? "planned-offline" : "applied",
    plan: { add: planned.counts.add, change: planned.counts.change, destroy: planned.counts.destroy },
    ...(r.ok ? {} : { failedChecks: r.checks.filter((c) => !c.ok).map((c) => c.check) }),
  });
  if (!r.ok) throw new StepError(formatReport(r), "failed", `fix the failing records and run \`arda-mail verify ${p.infrastructure} ${p.name}\``);
  return { value: r, detail: `${r.checks.length} checks passed via ${r.resolver}; recorded verified in ${path.basename(ctx.rolloutFile)}` };
}
