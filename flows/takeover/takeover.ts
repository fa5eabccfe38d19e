/**
 * The takeover of one stack, resumable: plan (discover + match; refusals stop here) → adopt
 * (import file + Terraform apply, second plan empty) → retain → detach (CloudFormation half).
 * Each completed step is in the takeover record; a re-run skips it. `planOnly` reads and reports,
 * and changes nothing (no file, no record, no AWS call that writes).
 */
import * as path from "node:path";
import type { CloudFormationOps } from "../../lib/aws/cloudformation";
import type { AccountSettings } from "../../lib/aws/settings";
import { readTakeover, recordStep, stepDone } from "../../lib/takeover/record";
import type { Platform } from "../../platform/model";
import { activePartitions, CORPORATE_STACK, partitionStackName, ROOT_STACK } from "../../platform/names";
import { FlowError } from "../errors";
import { writeImportFile } from "./adopt";
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
  /** Applies the stack with its import file; must end with an empty second plan. */
  readonly adopt: (stack: string, stackDir: string) => Promise<void>;
  readonly recordFile: string;
  readonly planOnly: boolean;
  readonly progress?: (line: string) => void;
}

export type StepStatus = "done" | "already" | "skipped" | "not-needed";

export interface StackTakeoverResult {
  readonly stack: string;
  readonly plan?: TakeoverPlan;
  readonly steps: Record<"plan" | "adopt" | "retain" | "detach", StepStatus>;
}

/** Root first (the zone every delegation lands in), then Corporate, then the partitions. */
export function takeoverOrder(platform: Platform): string[] {
  return [ROOT_STACK, CORPORATE_STACK, ...activePartitions(platform).map(partitionStackName)];
}

export async function takeoverStack(ctx: TakeoverContext, stack: string): Promise<StackTakeoverResult> {
  const dir = ctx.stackDirs[stack];
  if (!dir) throw new FlowError(`unknown stack "${stack}" for platform ${ctx.platform.name}`, `one of ${takeoverOrder(ctx.platform).join(", ")}, or --all.`);
  const say = ctx.progress ?? (() => undefined);
  let rec = readTakeover(ctx.recordFile, ctx.platform);
  const steps: StackTakeoverResult["steps"] = { plan: "skipped", adopt: "skipped", retain: "skipped", detach: "skipped" };

  let plan: TakeoverPlan | undefined;
  let cfnPlan: CloudFormationPlan | undefined = rec.stacks[stack]?.cloudFormation;
  if (!stepDone(rec, stack, "adopted")) {
    const synth = readSynthesizedStack(stack, path.join(dir, "cdk.tf.json"));
    // RootConfiguration keeps what is not mail's: its adopted zone is only retained, never bridged.
    plan = planTakeover(synth, await discover(ctx.platform, synth, ctx.account, await ctx.cloudFormation(stack)), { retainOnly: stack === ROOT_STACK });
    steps.plan = "done";
    say(`${stack}: ${plan.imports.length} to import, ${plan.creates.length} to create, ${plan.refusals.length} refused`);
    if (plan.refusals.length) {
      throw new FlowError(
        `${stack}: the takeover is refused — live and model disagree:\n  ${plan.refusals.join("\n  ")}`,
        "fix the model (or the stray live resource) and re-run with --plan-only; nothing was changed.",
        {
          stack,
          refusals: plan.refusals,
        },
      );
    }
    if (ctx.planOnly) return { stack, plan, steps };
    cfnPlan = plan.cloudFormation;
    writeImportFile(dir, plan);
    await recordStep(ctx.recordFile, ctx.platform, stack, "planned", { imports: plan.imports.length, ...(cfnPlan ? { cloudFormation: cfnPlan } : {}) });
    await ctx.adopt(stack, dir);
    await recordStep(ctx.recordFile, ctx.platform, stack, "adopted");
    steps.adopt = "done";
  } else {
    steps.plan = steps.adopt = "already";
    if (ctx.planOnly) return { stack, steps };
  }

  if (!cfnPlan) return { stack, ...(plan ? { plan } : {}), steps: { ...steps, retain: "not-needed", detach: "not-needed" } };
  const ops = await ctx.cloudFormation(stack);
  rec = readTakeover(ctx.recordFile, ctx.platform);
  steps.retain = stepDone(rec, stack, "retained") ? "already" : await retainStep(ops, cfnPlan);
  if (steps.retain === "done") await recordStep(ctx.recordFile, ctx.platform, stack, "retained");
  if (cfnPlan.mode === "retain-only") return { stack, ...(plan ? { plan } : {}), steps: { ...steps, detach: "not-needed" } };
  steps.detach = stepDone(rec, stack, "detached") ? "already" : await detachStep(ops, cfnPlan, { adopted: true });
  if (steps.detach === "done") await recordStep(ctx.recordFile, ctx.platform, stack, "detached");
  say(`${stack}: retain ${steps.retain}, detach ${steps.detach}`);
  return { stack, ...(plan ? { plan } : {}), steps };
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
  for (const i of plan.imports) lines.push(`  import  ${i.address} ← ${i.id}`);
  for (const c of plan.creates) lines.push(`  create  ${c.address} (${c.why})`);
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
