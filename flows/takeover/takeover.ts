/**
 * The takeover of one stack, resumable: plan (discover + match; refusals stop here) → adopt
 * (import file + Terraform apply, second plan empty) → retain → detach (CloudFormation half).
 * Each completed step is in the takeover record; a re-run skips it. `planOnly` reads and reports,
 * and changes nothing (no file, no record, no AWS call that writes).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { CloudFormationOps } from "../../lib/aws/cloudformation";
import type { AccountSettings } from "../../lib/aws/settings";
import { readTakeover, recordStep, stepDone } from "../../lib/takeover/record";
import type { Platform } from "../../platform/model";
import { activePartitions, CORPORATE_STACK, partitionStackName, ROOT_STACK } from "../../platform/names";
import { FlowError } from "../errors";
import { sameSecret, writeOnlySecretSlots } from "../../lib/aws/secrets";
import { formatPlan } from "../../lib/plan-summary";
import { IMPORT_FILE, previewFromCopy, terraformAdopt, terraformPreview, writeImportFile, type TerraformPreview, type TerraformSetup } from "./adopt";
import { detachStep, retainStep } from "./detach";
import { discover, requireProfiles } from "./discover";
import { planTakeover, type CloudFormationPlan, type TakeoverPlan } from "./plan";
import { readSynthesizedStack } from "./synthesized";

export interface TakeoverContext {
  readonly platform: Platform;
  /** Stack → directory of its synthesized `cdk.tf.json` (from a synth of the selected platform). */
  readonly stackDirs: Readonly<Record<string, string>>;
  readonly account: AccountSettings;
  /** CloudFormation of the stack's account. */
  readonly cloudFormation: (stack: string) => Promise<CloudFormationOps>;
  /** How Terraform runs for the stack (environment, 1Password's values of its secrets, Secrets Manager reader). */
  readonly terraform: (stack: string) => Promise<TerraformSetup>;
  readonly recordFile: string;
  readonly planOnly: boolean;
  readonly progress?: (line: string) => void;
  /**
   * The operator's interrupt (SIGINT/SIGTERM of the CLI). Checked after each recorded step: the run
   * stops there with the record saying how far it got; a running Terraform gets one SIGINT (an
   * apply finishes its changes first, see applyPlan).
   */
  readonly signal?: AbortSignal;
}

export type StepStatus = "done" | "already" | "skipped" | "not-needed";
export type TakeoverStepName = "plan" | "adopt" | "retain" | "detach";

/** Milliseconds per step of this run: discovery + matching, Terraform's plan, apply, second plan, retain, detach. */
export type TakeoverTimes = Partial<Record<"plan" | "terraformPlan" | "apply" | "secondPlan" | "retain" | "detach", number>>;

export interface StackTakeoverResult {
  readonly stack: string;
  readonly plan?: TakeoverPlan;
  readonly steps: Record<TakeoverStepName, StepStatus>;
  readonly times: TakeoverTimes;
}

/** Root first (the zone every delegation lands in), then Corporate, then the partitions. */
export function takeoverOrder(platform: Platform): string[] {
  return [ROOT_STACK, CORPORATE_STACK, ...activePartitions(platform).map(partitionStackName)];
}

function refused(stack: string, refusals: readonly string[]): FlowError {
  return new FlowError(
    `${stack}: the takeover is refused — live and model disagree:\n  ${refusals.join("\n  ")}`,
    "fix the model (or the stray live resource) and re-run with --plan-only; nothing was changed.",
    { stack, refusals },
  );
}

export async function takeoverStack(ctx: TakeoverContext, stack: string): Promise<StackTakeoverResult> {
  const dir = ctx.stackDirs[stack];
  if (!dir) throw new FlowError(`unknown stack "${stack}" for platform ${ctx.platform.name}`, `one of ${takeoverOrder(ctx.platform).join(", ")}, or --all.`);
  const say = ctx.progress ?? (() => undefined);
  const times: TakeoverTimes = {};
  const stopIfInterrupted = (after: string): void => {
    if (!ctx.signal?.aborted) return;
    throw new FlowError(
      `${stack}: takeover interrupted (${String(ctx.signal.reason ?? "signal")}) after ${after}; ${path.basename(ctx.recordFile)} records it`,
      `re-run the same \`arda-mail takeover ${stack}\`: it resumes from the record (every step is idempotent).`,
      { stack, after },
    );
  };
  let rec = readTakeover(ctx.recordFile, ctx.platform);
  const steps: StackTakeoverResult["steps"] = { plan: "skipped", adopt: "skipped", retain: "skipped", detach: "skipped" };

  let plan: TakeoverPlan | undefined;
  let cfnPlan: CloudFormationPlan | undefined = rec.stacks[stack]?.cloudFormation;
  if (!stepDone(rec, stack, "adopted")) {
    let t = Date.now();
    const synth = readSynthesizedStack(stack, path.join(dir, "cdk.tf.json"));
    // RootConfiguration keeps what is not mail's: its adopted zone is only retained, never bridged.
    plan = planTakeover(synth, await discover(ctx.platform, synth, ctx.account, await ctx.cloudFormation(stack)), {
      retainOnly: stack === ROOT_STACK,
      ...partitionOfStack(ctx.platform, stack),
    });
    times.plan = Date.now() - t;
    if (plan.refusals.length) throw refused(stack, plan.refusals);
    const setup = await ctx.terraform(stack);
    // Terraform's own plan with the import file: in-place updates, and no delete/replace of what is imported.
    const shown = async (preview: Omit<TerraformPreview, "run">, p: TakeoverPlan): Promise<TakeoverPlan> => {
      times.terraformPlan = preview.planMs;
      const full = await withPreview(p, preview, dir, setup);
      steps.plan = "done";
      say(formatTakeoverPlan(full));
      return full;
    };
    if (ctx.planOnly) {
      // From a scratch copy of the stack directory (previewFromCopy: no file here, no state written).
      plan = await shown(await previewFromCopy(stack, dir, setup, plan), plan);
      if (plan.refusals.length) throw refused(stack, plan.refusals);
      return { stack, plan, steps, times };
    }
    writeImportFile(dir, plan);
    const preview = await terraformPreview(stack, dir, setup, plan);
    plan = await shown(preview, plan);
    if (plan.refusals.length) {
      writeImportFile(dir, { ...plan, imports: [] });
      throw refused(stack, plan.refusals);
    }
    cfnPlan = plan.cloudFormation;
    await recordStep(ctx.recordFile, ctx.platform, stack, "planned", { imports: plan.imports.length, ...(cfnPlan ? { cloudFormation: cfnPlan } : {}) });
    say(`${stack}: planned — ${IMPORT_FILE} written, recorded in ${path.basename(ctx.recordFile)}`);
    stopIfInterrupted("plan");
    t = Date.now();
    const adopted = await terraformAdopt(stack, preview);
    times.apply = adopted.applyMs;
    times.secondPlan = adopted.secondPlanMs;
    await recordStep(ctx.recordFile, ctx.platform, stack, "adopted");
    steps.adopt = "done";
    say(`${stack}: adopted — terraform apply ${(adopted.applyMs / 1000).toFixed(1)} s, second plan empty (${(adopted.secondPlanMs / 1000).toFixed(1)} s)`);
    stopIfInterrupted("adopt");
  } else {
    steps.plan = steps.adopt = "already";
    if (ctx.planOnly) return { stack, steps, times };
  }

  if (!cfnPlan) return { stack, ...(plan ? { plan } : {}), steps: { ...steps, retain: "not-needed", detach: "not-needed" }, times };
  const ops = await ctx.cloudFormation(stack);
  rec = readTakeover(ctx.recordFile, ctx.platform);
  let t = Date.now();
  steps.retain = stepDone(rec, stack, "retained") ? "already" : await retainStep(ops, cfnPlan);
  times.retain = Date.now() - t;
  // Also when the template shows the step done but the record does not (a run that stopped right after CloudFormation's update).
  if (!stepDone(rec, stack, "retained")) await recordStep(ctx.recordFile, ctx.platform, stack, "retained");
  say(`${stack}: retain ${steps.retain}`);
  if (cfnPlan.mode === "retain-only") return { stack, ...(plan ? { plan } : {}), steps: { ...steps, detach: "not-needed" }, times };
  stopIfInterrupted("retain");
  t = Date.now();
  steps.detach = stepDone(rec, stack, "detached") ? "already" : await detachStep(ops, cfnPlan, { adopted: true });
  times.detach = Date.now() - t;
  if (!stepDone(rec, stack, "detached")) await recordStep(ctx.recordFile, ctx.platform, stack, "detached");
  say(`${stack}: detach ${steps.detach}`);
  return { stack, ...(plan ? { plan } : {}), steps, times };
}

/**
 * The plan with Terraform's answer: its in-place updates and refusals added, the creates narrowed
 * to what Terraform will really create (a re-run after an interrupted apply creates nothing again),
 * and for each write-only secret whether 1Password's value is the live one — compared in memory.
 */
async function withPreview(plan: TakeoverPlan, preview: Omit<TerraformPreview, "run">, dir: string, setup: TerraformSetup): Promise<TakeoverPlan> {
  const sameAsLive = await liveSecretComparison(dir, setup);
  const creates = plan.creates
    .filter((c) => preview.created.includes(c.address))
    .map((c) =>
      sameAsLive[c.address] === undefined
        ? c
        : {
            ...c,
            why: `${c.why}; 1Password's value ${sameAsLive[c.address] ? "is the live one (compared in memory): the new version holds the same value" : "differs from the live one: the application reads 1Password's from the apply on"}`,
          },
    );
  return { ...plan, creates, updates: preview.updates, refusals: [...plan.refusals, ...preview.refusals], terraform: { counts: preview.counts, secretVersions: preview.secretVersions } };
}

/** Version address → whether Secrets Manager's current value of its secret is 1Password's (never the values). */
async function liveSecretComparison(dir: string, setup: TerraformSetup): Promise<Record<string, boolean>> {
  const out: Record<string, boolean> = {};
  for (const slot of writeOnlySecretSlots(JSON.parse(fs.readFileSync(path.join(dir, "cdk.tf.json"), "utf8")))) {
    const want = setup.values[slot.valueVariable];
    const live = await setup.reader.current(slot.secretName);
    if (want !== undefined && live !== undefined) out[slot.versionResource] = sameSecret(live, want);
  }
  return out;
}

/** The stacks a run covers, in order, each checked for AWS access before anything is read. */
export function takeoverTargets(platform: Platform, stack: string | undefined, all: boolean, awsConfig?: string): string[] {
  const order = takeoverOrder(platform);
  if (all === !!stack)
    throw new FlowError(
      all ? "--all covers every stack: give no <stack>" : "name a stack, or --all",
      `arda-mail takeover ${order[0]} --plan-only, or arda-mail takeover --all --plan-only (stacks in order: ${order.join(", ")}).`,
    );
  const targets = stack ? [stack] : order;
  for (const s of targets) {
    if (!order.includes(s)) throw new FlowError(`unknown stack "${s}" for platform ${platform.name}`, `one of ${order.join(", ")}, or --all.`);
    requireProfiles(platform, s, awsConfig);
  }
  return targets;
}

/** One line per planned action, for the operator (ids, names and ARNs only — never a value). */
export function formatTakeoverPlan(plan: TakeoverPlan): string {
  const lines = [`${plan.stack}: ${plan.imports.length} to import, ${plan.creates.length} to create, ${plan.refusals.length} refused`];
  for (const i of plan.imports) lines.push(`  import  ${i.address} ← ${i.id}${i.byStack ? " (the stack's own import block: the model records this id)" : ""}`);
  for (const c of plan.creates) lines.push(`  create  ${c.address} (${c.why})`);
  for (const u of plan.updates ?? []) lines.push(`  update  ${u.address} (${u.attributes.join(", ")})`);
  if (plan.terraform) lines.push(`  terraform plan: ${formatPlan(plan.terraform.counts)}; secrets: ${plan.terraform.secretVersions}`);
  for (const r of plan.refusals) lines.push(`  REFUSED ${r}`);
  const cfn = plan.cloudFormation;
  if (cfn) {
    if (cfn.mode === "retain-only") {
      lines.push(`  CloudFormation ${cfn.stackName}: DeletionPolicy Retain on ${cfn.retain.join(", ") || "—"}; the stack is otherwise left as it is (not mail's alone)`);
      return lines.join("\n");
    }
    lines.push(`  CloudFormation ${cfn.stackName}: Retain then leave the template: ${cfn.retain.join(", ") || "—"}`);
    lines.push(`  CloudFormation ${cfn.stackName}: deleted by the bridge update: ${cfn.delete.join(", ") || "—"}`);
    lines.push(`  CloudFormation ${cfn.stackName}: the bridge keeps ${cfn.exports.length} exports: ${cfn.exports.map((e) => `${e.name}=${e.value}`).join(", ") || "—"}`);
  } else lines.push(`  CloudFormation: no stack to detach`);
  return lines.join("\n");
}

/** `{ partition }` for a partition stack (refusals name its model fields), `{}` otherwise. */
function partitionOfStack(platform: Platform, stack: string): { partition?: string } {
  const p = activePartitions(platform).find((x) => partitionStackName(x) === stack);
  return p ? { partition: p.name } : {};
}
