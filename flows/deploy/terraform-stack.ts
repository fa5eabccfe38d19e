/**
 * The Terraform half of a real deploy of one synthesized stack, applied exactly as synthesized (no
 * override file): init with the stack's own backend, the write-only secrets' versions, plan, apply,
 * a second plan that must be empty, and the outputs from state. Secrets travel only as `TF_VAR_*`
 * in the child's environment.
 *
 * Re-runnable after a crash: apply writes its output to a log file in the stack directory rather
 * than a pipe, so a CLI that dies (SIGKILL) does not take Terraform down mid-apply with a broken
 * pipe — Terraform finishes and records what it created, and the next run waits for the state
 * lock (`-lock-timeout`) and plans from the finished state instead of creating duplicates.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { decideVersions, versionVariables, writeOnlySecretSlots, type RawState, type SecretValueReader, type VersionDecision } from "../../lib/aws/secrets";
import { planCounts, type PlanCounts, type PlanJson } from "../../lib/plan-summary";
import { runTerraform, TerraformInterrupted, terraformOrThrow, type TerraformResult } from "../../lib/terraform";

export interface StackRun {
  readonly stack: string;
  /** Directory holding the synthesized `cdk.tf.json`. */
  readonly dir: string;
  /** The Terraform environment: CLI config, AWS profile / region / config file, endpoint (sandbox), `TF_VAR_*`. */
  readonly env: NodeJS.ProcessEnv;
  /** Terraform's own output, line by line (`--verbose`). */
  readonly tee?: (line: string) => void;
  /** The operator's interrupt: every Terraform child gets one SIGINT (graceful stop, lock released). */
  readonly signal?: AbortSignal;
}

/** How long a run waits for another run's lock on the same state (a crashed run's Terraform finishing). */
export const LOCK_TIMEOUT = "-lock-timeout=300s";
export const PLAN_FILE = "deploy.tfplan";
export const APPLY_LOG = "apply.log";

function tf(run: StackRun, args: string[]): Promise<TerraformResult> {
  const tee = run.tee ? { onStdout: (c: string) => run.tee!(c.trimEnd()), onStderr: (c: string) => run.tee!(c.trimEnd()) } : {};
  return terraformOrThrow(args, { cwd: run.dir, env: run.env, signal: run.signal, ...tee });
}

export async function initStack(run: StackRun): Promise<void> {
  await tf(run, ["init", "-input=false", "-no-color"]);
}

/** The raw state (`terraform state pull`; no provider loaded), undefined when the stack has none yet. */
export async function pullState(run: StackRun): Promise<RawState | undefined> {
  const out = (await terraformOrThrow(["state", "pull"], { cwd: run.dir, env: run.env, signal: run.signal })).stdout.trim();
  return out ? (JSON.parse(out) as RawState) : undefined;
}

/**
 * Each write-only secret's `*_version`: the state's, bumped when Secrets Manager's current value
 * differs from the one about to be written (the values are compared in memory, nowhere else).
 */
export async function secretVersions(run: StackRun, values: Readonly<Record<string, string>>, reader: SecretValueReader): Promise<VersionDecision[]> {
  const slots = writeOnlySecretSlots(JSON.parse(fs.readFileSync(path.join(run.dir, "cdk.tf.json"), "utf8")));
  if (slots.length === 0) return [];
  return decideVersions(slots, await pullState(run), values, reader);
}

export function withVersions(run: StackRun, decisions: readonly VersionDecision[]): StackRun {
  return { ...run, env: { ...run.env, ...versionVariables(decisions) } };
}

export interface StackPlan {
  readonly json: PlanJson;
  readonly counts: PlanCounts;
}

export async function planStack(run: StackRun): Promise<StackPlan> {
  await tf(run, ["plan", "-input=false", "-no-color", LOCK_TIMEOUT, `-out=${PLAN_FILE}`]);
  const json = JSON.parse((await terraformOrThrow(["show", "-json", PLAN_FILE], { cwd: run.dir, env: run.env, signal: run.signal })).stdout) as PlanJson;
  return { json, counts: planCounts(json) };
}

/**
 * `terraform apply deploy.tfplan`, its output in `apply.log` (see the module comment). The exit
 * code is Terraform's; a failure carries the log's tail. In its own process group, so a Ctrl-C in
 * the terminal reaches only the CLI. An operator interrupt does NOT stop an apply half-way: the
 * aws provider cancels its in-flight Route53 waits on Terraform's graceful stop, which leaves a
 * just-created zone tainted — and the next run would then plan to replace it (measured: the
 * Corporate zone, refused by the destructive-change guard). The apply finishes its changes; the
 * deploy stops before its next step.
 */
export async function applyPlan(run: StackRun): Promise<{ durationMs: number }> {
  const log = path.join(run.dir, APPLY_LOG);
  const fd = fs.openSync(log, "w", 0o600);
  const started = Date.now();
  let code: number;
  try {
    if (run.signal?.aborted) throw new TerraformInterrupted("apply");
    code = await new Promise<number>((resolve, reject) => {
      const child = spawn("terraform", ["apply", "-input=false", "-no-color", LOCK_TIMEOUT, PLAN_FILE], { cwd: run.dir, env: run.env, stdio: ["ignore", fd, fd], detached: true });
      child.on("error", (e) => reject(new Error(`could not start terraform: ${e.message}`)));
      child.on("close", (c, signal) => resolve(c ?? (signal ? 128 : 1)));
    });
  } finally {
    fs.closeSync(fd);
  }
  const text = fs.readFileSync(log, "utf8");
  if (run.tee) text.split("\n").forEach((l) => run.tee!(l));
  if (code !== 0) throw new Error(`terraform apply failed in ${run.dir} (exit ${code}):\n${text.trim().split("\n").slice(-40).join("\n")}`);
  return { durationMs: Date.now() - started };
}

export interface SecondPlan {
  /** `terraform plan -detailed-exitcode` exited 0: the applied stack converged. */
  readonly clean: boolean;
  /** Addresses still planned to change (empty when clean). */
  readonly pending: string[];
}

/** The convergence check after apply: a second plan must have nothing to do. */
export async function secondPlan(run: StackRun): Promise<SecondPlan> {
  const r = await terraformOrThrowExit(run, ["plan", "-input=false", "-no-color", "-detailed-exitcode", LOCK_TIMEOUT, "-out=second.tfplan"]);
  if (r.code === 0) return { clean: true, pending: [] };
  const json = JSON.parse((await terraformOrThrow(["show", "-json", "second.tfplan"], { cwd: run.dir, env: run.env, signal: run.signal })).stdout) as PlanJson;
  const pending = (json.resource_changes ?? []).filter((c) => !c.change.actions.every((a) => a === "no-op" || a === "read")).map((c) => `${c.address} (${c.change.actions.join("+")})`);
  return { clean: false, pending };
}

/** Exit 0 and 2 are answers (`-detailed-exitcode`); anything else is a failure. */
async function terraformOrThrowExit(run: StackRun, args: string[]): Promise<{ code: number }> {
  const r = await runTerraform(args, { cwd: run.dir, env: run.env, signal: run.signal, ...(run.tee ? { onStdout: (c: string) => run.tee!(c.trimEnd()) } : {}) });
  if (r.interrupted) throw new TerraformInterrupted(args[0]);
  if (r.code !== 0 && r.code !== 2) throw new Error(`terraform ${args.join(" ")} failed in ${run.dir} (exit ${r.code}):\n${(r.stderr.trim() || r.stdout.trim()).split("\n").slice(-40).join("\n")}`);
  return { code: r.code };
}

/** The stack's outputs from state (non-sensitive values; a sensitive one is named with no value). */
export async function stateOutputs(run: StackRun): Promise<Record<string, unknown>> {
  const raw = JSON.parse((await terraformOrThrow(["output", "-json"], { cwd: run.dir, env: run.env, signal: run.signal })).stdout) as Record<string, { value: unknown; sensitive?: boolean }>;
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v.sensitive ? undefined : v.value]));
}

/**
 * Another stack's outputs, read from its state without loading any provider: a scratch directory
 * holding only that stack's backend block, initialised and asked for its outputs. (How a partition
 * deploy checks that Root is applied.) `dir` sits beside the stack's own directory, so a relative
 * local state path means the same file.
 */
export async function outputsOfBackend(synthesized: { terraform?: { backend?: unknown } }, dir: string, env: NodeJS.ProcessEnv): Promise<Record<string, unknown>> {
  if (!synthesized.terraform?.backend) throw new Error("the synthesized stack has no backend block");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "backend.tf.json"), JSON.stringify({ terraform: { backend: synthesized.terraform.backend } }, null, 2));
  const run: StackRun = { stack: path.basename(dir), dir, env };
  await initStack(run);
  return stateOutputs(run);
}
