/**
 * Offline plans: synthesize, then for every stack `terraform init` + `validate` + `plan` with fake
 * credentials and no network, writing each plan as JSON to `<outdir>/plans/<stack>.json` and
 * returning a per-stack summary. Offline mode is explicit:
 * the skip flags and the local backend live in an override file this script writes beside the
 * synthesized stack; the stack itself carries none of it.
 */
import { randomBytes, randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { planCounts, type PlanJson } from "../lib/plan-summary";
import { OFFLINE_AWS_ENV, seedOfflineAdoptions, TerraformInterrupted, terraformEnv, terraformOrThrow, writeOfflineOverride } from "../lib/terraform";
import { synthPlatform, type SynthOptions } from "./synth";

export interface PlanSummary {
  readonly stack: string;
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
  readonly import: number;
  readonly planFile: string;
  readonly durationMs: number;
  readonly validateMs: number;
  /** Resources adopted by `import` blocks (offline: seeded into the local state, see seedOfflineAdoptions). */
  readonly adopted?: number;
}

/** Values for the sensitive variables of an offline plan: well-formed, random, never real. */
export function offlineSecretVariables(): NodeJS.ProcessEnv {
  const registry = { [randomUUID()]: randomBytes(64).toString("base64") };
  return {
    TF_VAR_postmark_account_token: `offline-${randomUUID()}`,
    TF_VAR_email_encryption_key_registry: JSON.stringify(registry),
  };
}

export function summarizePlan(stack: string, plan: PlanJson, planFile: string, durationMs: number, validateMs: number): PlanSummary {
  const c = planCounts(plan);
  return { stack, add: c.add, change: c.change, destroy: c.destroy, import: c.import, planFile, durationMs, validateMs };
}

export interface PlanOfflineOptions extends SynthOptions {
  /** Extra environment for Terraform (e.g. the secret variables). Defaults to generated offline values. */
  variables?: NodeJS.ProcessEnv;
  /** The environment Terraform runs in (default: this process's). */
  env?: NodeJS.ProcessEnv;
  concurrency?: number;
  log?: (line: string) => void;
  /** Aborted on an operator interrupt: the running terraform gets one SIGINT, no further stack starts. */
  signal?: AbortSignal;
}

export async function planOffline(opts: PlanOfflineOptions): Promise<PlanSummary[]> {
  const synth = synthPlatform({ ...opts, hcl: opts.hcl ?? false });
  const planDir = path.join(synth.outdir, "plans");
  fs.mkdirSync(planDir, { recursive: true });
  const env = terraformEnv({ ...OFFLINE_AWS_ENV, ...(opts.variables ?? offlineSecretVariables()) }, opts.env ?? process.env);
  const wanted = synth.stacks;
  const log = opts.log ?? (() => undefined);
  const queue = [...wanted];
  const results: PlanSummary[] = [];
  const worker = async (): Promise<void> => {
    for (let stack = queue.shift(); stack; stack = queue.shift()) {
      if (opts.signal?.aborted) throw new TerraformInterrupted("plan");
      results.push(await planStack(stack, synth.stackDirs[stack], planDir, env, log, opts.signal));
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 2, wanted.length) }, worker));
  return wanted.map((s) => results.find((r) => r.stack === s)!);
}

async function planStack(stack: string, dir: string, planDir: string, env: NodeJS.ProcessEnv, log: (l: string) => void, signal?: AbortSignal): Promise<PlanSummary> {
  const t0 = Date.now();
  writeOfflineOverride(dir);
  const statePath = path.join(dir, "terraform.offline.tfstate");
  fs.rmSync(statePath, { force: true });
  const adopted = seedOfflineAdoptions(dir, statePath);
  await terraformOrThrow(["init", "-input=false", "-no-color", "-reconfigure"], { cwd: dir, env, signal });
  const tv = Date.now();
  await terraformOrThrow(["validate", "-no-color"], { cwd: dir, env, signal });
  const validateMs = Date.now() - tv;
  await terraformOrThrow(["plan", "-input=false", "-no-color", "-lock=false", "-refresh=false", "-out=offline.tfplan"], { cwd: dir, env, signal });
  const shown = await terraformOrThrow(["show", "-json", "offline.tfplan"], { cwd: dir, env, signal });
  const planFile = path.join(planDir, `${stack}.json`);
  fs.writeFileSync(planFile, shown.stdout);
  const summary = { ...summarizePlan(stack, JSON.parse(shown.stdout) as PlanJson, planFile, Date.now() - t0, validateMs), adopted };
  log(
    `${stack.padEnd(24)} ${summary.add} to add, ${summary.change} to change, ${summary.destroy} to destroy, ${summary.import} to import${adopted ? `, ${adopted} adopted (import)` : ""} (${(summary.durationMs / 1000).toFixed(1)} s)`,
  );
  return summary;
}
