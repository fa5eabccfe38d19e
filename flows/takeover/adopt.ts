/**
 * Adoption: Terraform `import` blocks written beside the synthesized stack, so the first apply
 * imports what exists instead of creating it; then a second plan must be empty.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "../../lib/atomic-file";
import { runTerraform, terraformOrThrow } from "../../lib/terraform";
import { FlowError } from "../errors";
import { importBlocks, type TakeoverPlan } from "./plan";

/** Beside `cdk.tf.json`; Terraform reads every `*.tf.json` of the directory. */
export const IMPORT_FILE = "takeover-imports.tf.json";

/** Write (or remove, when there is nothing to import) the stack's import file. Idempotent. */
export function writeImportFile(stackDir: string, plan: TakeoverPlan): string | undefined {
  const file = path.join(stackDir, IMPORT_FILE);
  if (!plan.imports.length) {
    fs.rmSync(file, { force: true });
    return undefined;
  }
  writeFileAtomic(file, `${JSON.stringify(importBlocks(plan), null, 2)}\n`);
  return file;
}

export interface AdoptResult {
  readonly applyMs: number;
  readonly secondPlanMs: number;
}

/** init, apply (imports + what must still be created), then a plan that must show no changes. */
export async function terraformAdopt(stack: string, stackDir: string, env: NodeJS.ProcessEnv): Promise<AdoptResult> {
  await terraformOrThrow(["init", "-input=false", "-no-color"], { cwd: stackDir, env });
  const applied = await terraformOrThrow(["apply", "-input=false", "-no-color", "-auto-approve"], { cwd: stackDir, env });
  const second = await runTerraform(["plan", "-input=false", "-no-color", "-detailed-exitcode"], { cwd: stackDir, env });
  if (second.code !== 0) {
    const tail = (second.code === 2 ? second.stdout : second.stderr).trim().split("\n").slice(-30).join("\n");
    throw new FlowError(
      `${stack}: after adopting, Terraform's second plan is not empty (exit ${second.code}):\n${tail}`,
      "nothing was deleted; compare the plan with the live resource and fix the model (or the import file) before re-running.",
    );
  }
  return { applyMs: applied.durationMs, secondPlanMs: second.durationMs };
}
