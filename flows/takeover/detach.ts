/**
 * The CloudFormation half: let go of what Terraform adopted without deleting it, and leave the old
 * stack as a bridge that keeps publishing the application's exports with the same values.
 * 1. retain: `DeletionPolicy: Retain` (and UpdateReplacePolicy) on every adopted resource and every
 *    custom resource (its delete handler would remove the NS record Terraform now owns); checked
 *    back with GetTemplate, since real CloudFormation has answered policy-only updates with "no changes".
 * 2. detach: replace the template with the bridge — the exports as literal values and one inert
 *    WaitConditionHandle; CloudFormation forgets the retained resources and deletes the rest
 *    (the delegation Lambdas, their log groups and roles, the CloudFormation-only policies).
 * Both steps are idempotent: a step already done is recognised from the stack's template.
 */
import type { CfnTemplate, CloudFormationOps } from "../../lib/aws/cloudformation";
import { FlowError } from "../errors";
import type { CloudFormationPlan } from "./plan";

export const BRIDGE_RESOURCE = "ArdaMailTakeoverBridge";

export type StepOutcome = "done" | "already";

const notRetained = (t: CfnTemplate, ids: readonly string[]): string[] => ids.filter((id) => t.Resources[id] && t.Resources[id].DeletionPolicy !== "Retain");
export const isBridge = (t: CfnTemplate): boolean => Object.keys(t.Resources).length === 1 && BRIDGE_RESOURCE in t.Resources;

export async function retainStep(ops: CloudFormationOps, plan: CloudFormationPlan): Promise<StepOutcome> {
  const t = await ops.getTemplate(plan.stackName);
  if (isBridge(t)) return "already";
  const missing = notRetained(t, plan.retain);
  const gone = plan.retain.filter((id) => !t.Resources[id]);
  if (gone.length)
    throw new FlowError(
      `${plan.stackName}: the template no longer has ${gone.join(", ")} — it changed since the takeover was planned`,
      "re-plan with `arda-mail takeover <stack> --plan-only` and compare.",
    );
  if (!missing.length) return "already";
  for (const id of missing) Object.assign(t.Resources[id], { DeletionPolicy: "Retain", UpdateReplacePolicy: "Retain" });
  await ops.updateStack(plan.stackName, t);
  const stored = notRetained(await ops.getTemplate(plan.stackName), plan.retain);
  if (stored.length) {
    throw new FlowError(
      `${plan.stackName}: CloudFormation did not store DeletionPolicy Retain on ${stored.join(", ")} (a policy-only update answered as "no changes") — nothing was removed`,
      "apply the Retain update with a change CloudFormation acts on (e.g. a Metadata key on each resource) in the console or CLI, check it with `aws cloudformation get-template`, then re-run the takeover.",
      { stack: plan.stackName, notRetained: stored },
    );
  }
  return "done";
}

/** The bridge template: the stack's exports as literal values, and nothing that can act. */
export function bridgeTemplate(current: CfnTemplate, exports: ReadonlyArray<{ name: string; value: string }>): CfnTemplate {
  const keyOf = (name: string): string => Object.entries(current.Outputs ?? {}).find(([, o]) => o.Export?.Name === name)?.[0] ?? `Export${name.replace(/[^A-Za-z0-9]/g, "")}`;
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: "Bridge left by arda-mail takeover: Terraform owns the resources; this stack only keeps the exports the application imports.",
    Resources: { [BRIDGE_RESOURCE]: { Type: "AWS::CloudFormation::WaitConditionHandle" } },
    Outputs: Object.fromEntries(exports.map((e) => [keyOf(e.name), { Value: e.value, Export: { Name: e.name } }])),
  };
}

async function exportsOf(ops: CloudFormationOps, stackName: string): Promise<Map<string, string>> {
  return new Map((await ops.listExports()).filter((e) => e.exportingStack === stackName).map((e) => [e.name, e.value]));
}

function sameExports(stackName: string, want: CloudFormationPlan["exports"], have: Map<string, string>, when: string): void {
  const wrong = want.filter((e) => have.get(e.name) !== e.value);
  if (wrong.length) {
    throw new FlowError(
      `${stackName}: ${when}, export ${wrong.map((e) => `${e.name} is ${have.has(e.name) ? JSON.stringify(have.get(e.name)) : "missing"} (planned ${JSON.stringify(e.value)})`).join("; ")}`,
      "stop — the application imports these values; compare `aws cloudformation list-exports` with the takeover record before going on.",
    );
  }
}

export async function detachStep(ops: CloudFormationOps, plan: CloudFormationPlan, opts: { adopted: boolean }): Promise<StepOutcome> {
  const t = await ops.getTemplate(plan.stackName);
  if (isBridge(t)) {
    sameExports(plan.stackName, plan.exports, await exportsOf(ops, plan.stackName), "the bridge is in place but");
    return "already";
  }
  // The delegation mechanism goes only once Terraform manages our NS record (and everything adopted).
  if (!opts.adopted)
    throw new FlowError(
      `${plan.stackName}: Terraform has not adopted the stack's resources yet — CloudFormation cannot let go`,
      "run `arda-mail takeover <stack>` (without --plan-only) to adopt first.",
    );
  const missing = notRetained(t, plan.retain);
  if (missing.length)
    throw new FlowError(
      `${plan.stackName}: ${missing.join(", ")} not yet DeletionPolicy Retain — detaching would delete them`,
      "re-run `arda-mail takeover <stack>`: the retain step runs before the detach.",
    );
  sameExports(plan.stackName, plan.exports, await exportsOf(ops, plan.stackName), "before detaching");
  await ops.updateStack(plan.stackName, bridgeTemplate(t, plan.exports));
  sameExports(plan.stackName, plan.exports, await exportsOf(ops, plan.stackName), "after detaching");
  return "done";
}
