/**
 * Adoption: Terraform `import` blocks written beside the synthesized stack, so the first apply
 * imports what exists instead of creating it; then a second plan must be empty.
 *
 * The Terraform half runs through the real deploy's runner (flows/deploy/terraform-stack.ts): init
 * with the stack's own backend, the write-only secrets' `*_version` variables (1Password's value
 * compared in memory with Secrets Manager's current one), a saved plan read back with
 * `terraform show -json`, `terraform apply <plan>` with the lock timeout and the apply log that
 * survives a CLI crash, and the second plan. The saved plan is also what the takeover shows the
 * operator before anything changes: every in-place update (attribute names only, never values)
 * and a refusal for any delete or replace of a resource being imported.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeFileAtomic } from "../../lib/atomic-file";
import { describeDecisions, type SecretValueReader, type VersionDecision } from "../../lib/aws/secrets";
import type { PlanCounts } from "../../lib/plan-summary";
import { applyPlan, initStack, planStack, secondPlan, secretVersions, withVersions, type StackRun } from "../deploy/terraform-stack";
import { FlowError } from "../errors";
import { importBlocks, type TakeoverPlan } from "./plan";

/** Beside `cdk.tf.json`; Terraform reads every `*.tf.json` of the directory. */
export const IMPORT_FILE = "takeover-imports.tf.json";

/** Write (or remove, when there is nothing to import) the stack's import file. Idempotent. */
export function writeImportFile(stackDir: string, plan: TakeoverPlan): string | undefined {
  const file = path.join(stackDir, IMPORT_FILE);
  if (!importBlocks(plan).import.length) {
    fs.rmSync(file, { force: true });
    return undefined;
  }
  writeFileAtomic(file, `${JSON.stringify(importBlocks(plan), null, 2)}\n`);
  return file;
}

/** How Terraform runs for one stack: its environment and the values its write-only secrets take. */
export interface TerraformSetup {
  /** CLI config, AWS profile / region / config file, endpoints (sandbox), `TF_VAR_*` of the secrets. */
  readonly env: NodeJS.ProcessEnv;
  /** Variable name → 1Password's value (memory only); `{}` for a stack without write-only secrets. */
  readonly values: Readonly<Record<string, string>>;
  /** Secrets Manager's current values, compared in memory with `values`. */
  readonly reader: SecretValueReader;
  readonly signal?: AbortSignal;
  /** Terraform's own output, line by line. */
  readonly tee?: (line: string) => void;
}

export interface PlannedUpdate {
  readonly address: string;
  /** Names of the attributes that change — never their values (they may be sensitive). */
  readonly attributes: string[];
}

/** What Terraform's saved plan of the stack (with its import file) will do. */
export interface TerraformPreview {
  readonly counts: PlanCounts;
  readonly updates: PlannedUpdate[];
  /** Addresses Terraform will create (not import). */
  readonly created: string[];
  /** Deletes or replacements of a resource being imported (or of a zone / key secret): the takeover stops. */
  readonly refusals: string[];
  readonly secretVersions: string;
  readonly planMs: number;
  /** The run that made the saved plan (with the secrets' versions): the apply uses exactly that plan. */
  readonly run: StackRun;
}

interface ResourceChange {
  address: string;
  type: string;
  change: { actions: string[]; before?: unknown; after?: unknown; after_unknown?: unknown; importing?: unknown };
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The top-level attributes an update changes (compared in memory; only the names leave). */
export function changedAttributes(change: ResourceChange["change"]): string[] {
  const before = (change.before ?? {}) as Record<string, unknown>;
  const after = (change.after ?? {}) as Record<string, unknown>;
  const unknown = (change.after_unknown ?? {}) as Record<string, unknown>;
  const names = new Set([...Object.keys(before), ...Object.keys(after), ...Object.keys(unknown)]);
  return [...names].filter((k) => unknown[k] === true || (k in after && !same(before[k], after[k])) || (!(k in after) && before[k] !== null && before[k] !== undefined)).sort();
}

/** Updates and refusals from `terraform show -json` of the saved plan. */
export function analysePlan(changes: readonly ResourceChange[], imported: ReadonlySet<string>, destructive: readonly string[]): Pick<TerraformPreview, "updates" | "refusals" | "created"> {
  const updates: PlannedUpdate[] = [];
  const refusals: string[] = [];
  const created: string[] = [];
  for (const rc of changes) {
    const a = rc.change.actions;
    if (a.includes("delete") && imported.has(rc.address)) {
      refusals.push(
        `${rc.address}: Terraform would ${a.includes("create") ? "replace" : "delete"} this live resource instead of adopting it (${a.join("+")}) — a takeover recreates nothing; the model differs in an attribute that forces replacement`,
      );
    } else if (a.includes("create")) created.push(rc.address);
    else if (a.length === 1 && a[0] === "update") updates.push({ address: rc.address, attributes: changedAttributes(rc.change) });
  }
  for (const d of destructive) if (!refusals.some((r) => r.startsWith(d.split(" ")[0]))) refusals.push(`${d}: a zone or the key secret is never removed by a takeover`);
  return { updates: updates.sort((x, y) => x.address.localeCompare(y.address)), refusals, created: created.sort() };
}

/** init → the secrets' versions → saved plan → `show -json`, analysed. Reads only; writes the plan file in `dir`. */
export async function terraformPreview(stack: string, dir: string, setup: TerraformSetup, plan: TakeoverPlan): Promise<TerraformPreview> {
  let run: StackRun = { stack, dir, env: setup.env, ...(setup.signal ? { signal: setup.signal } : {}), ...(setup.tee ? { tee: setup.tee } : {}) };
  await initStack(run);
  const decisions: VersionDecision[] = await secretVersions(run, setup.values, setup.reader);
  run = withVersions(run, decisions);
  const started = Date.now();
  const planned = await planStack(run);
  const planMs = Date.now() - started;
  const imported = new Set([...plan.imports.map((i) => i.address)]);
  const analysed = analysePlan((planned.json.resource_changes ?? []) as ResourceChange[], imported, planned.counts.destructive);
  return { counts: planned.counts, ...analysed, secretVersions: describeDecisions(decisions), planMs, run };
}

/**
 * `--plan-only`: the same preview from a scratch copy of the stack directory (synthesized stack and
 * import file only, removed afterwards), so the stack directory gets no import file or plan. Safe:
 * `terraform init` and `terraform plan` never write state (a plan refreshes in memory only), and the
 * copy reads the stack's own backend — an absolute local path or the remote state — read-only;
 * nothing is applied and no record is written. The plan takes the state lock for its duration, as
 * every `terraform plan` does.
 */
export async function previewFromCopy(stack: string, stackDir: string, setup: TerraformSetup, plan: TakeoverPlan): Promise<Omit<TerraformPreview, "run">> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "arda-mail-takeover-plan-"));
  try {
    for (const f of fs.readdirSync(stackDir)) if (f.endsWith(".tf.json") && f !== IMPORT_FILE) fs.copyFileSync(path.join(stackDir, f), path.join(scratch, f));
    writeImportFile(scratch, plan);
    // The scratch run is not returned: nothing may apply a plan made from the copy.
    const p = await terraformPreview(stack, scratch, setup, plan);
    return { counts: p.counts, updates: p.updates, created: p.created, refusals: p.refusals, secretVersions: p.secretVersions, planMs: p.planMs };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

export interface AdoptResult {
  readonly applyMs: number;
  readonly secondPlanMs: number;
}

/** Apply the preview's saved plan (imports, in-place updates, what must be created), then the second plan must be empty. */
export async function terraformAdopt(stack: string, preview: TerraformPreview): Promise<AdoptResult> {
  const c = preview.counts;
  let applyMs = 0;
  if (c.add + c.change + c.destroy + c.import > 0) applyMs = (await applyPlan(preview.run)).durationMs;
  const started = Date.now();
  const second = await secondPlan(preview.run);
  if (!second.clean) {
    throw new FlowError(
      `${stack}: after adopting, Terraform's second plan is not empty: ${second.pending.join(", ")}`,
      "nothing was deleted; compare the plan with the live resource and fix the model (or the import file) before re-running.",
    );
  }
  return { applyMs, secondPlanMs: Date.now() - started };
}
