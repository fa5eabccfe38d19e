import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App } from "cdktf";
import { REPO_ROOT, validatePlatform } from "../platform/load";
import type { Infrastructure, Platform, StateBackend } from "../platform/model";
import { infrastructure } from "../platform/names";
import { withFileLock, writeFileAtomic } from "../lib/atomic-file";
import { OFFLINE_AWS_ENV, runTerraform, terraformEnv, writeOfflineOverride } from "../lib/terraform";
import { bootstrapStackName, defaultStateBucket, StateBackendBootstrapStack } from "../stacks/state-backend-bootstrap-stack";
import { FlowError } from "./errors";

export interface BackendRow {
  readonly infrastructure: string;
  readonly accountId: string;
  readonly kind: StateBackend["kind"];
  readonly backend: StateBackend;
  /** One line an operator reads. */
  readonly where: string;
}

export function describeBackend(b: StateBackend): string {
  switch (b.kind) {
    case "local":
      return `local directory ${b.directory}`;
    case "s3":
      return `S3 s3://${b.bucket}/${b.keyPrefix}/<stack>.tfstate (${b.region})`;
    case "cloud":
      return `Terraform Cloud ${b.organization}, workspaces ${b.workspacePrefix}<stack>${b.project ? `, project ${b.project}` : ""}`;
  }
}

export function backendRows(platform: Platform): BackendRow[] {
  return platform.infrastructures.map((i) => ({ infrastructure: i.name, accountId: i.accountId, kind: i.backend.kind, backend: i.backend, where: describeBackend(i.backend) }));
}

export function findInfrastructure(platform: Platform, name: string): Infrastructure {
  try {
    return infrastructure(platform, name);
  } catch (e) {
    throw new FlowError((e as Error).message, "`arda-mail backend list` shows the accounts");
  }
}

/**
 * Replace one infrastructure's `backend` in the model file: re-validated as a whole before
 * anything is written, written atomically under the file's lock. Only that object's text changes,
 * so the file's hand-made layout survives.
 */
export async function setBackend(file: string, infraName: string, backend: StateBackend): Promise<{ changed: boolean; platform: Platform }> {
  return withFileLock(file, () => {
    const text = fs.readFileSync(file, "utf8");
    const raw = JSON.parse(text) as { infrastructures?: Array<{ name: string; backend: unknown }> };
    const i = raw.infrastructures?.findIndex((x) => x.name === infraName) ?? -1;
    if (i < 0) throw new FlowError(`unknown infrastructure "${infraName}" in ${file}`, "`arda-mail backend list` shows the accounts");
    const unchanged = JSON.stringify(raw.infrastructures![i].backend) === JSON.stringify(backend);
    raw.infrastructures![i].backend = backend;
    let platform: Platform;
    try {
      platform = validatePlatform(raw, { source: path.relative(REPO_ROOT, file) || file });
    } catch (e) {
      throw new FlowError((e as Error).message, "fix the values given to `backend set`; the model file was not changed");
    }
    if (unchanged) return { changed: false, platform };
    writeFileAtomic(file, replaceBackendText(text, infraName, backend) ?? JSON.stringify(raw, null, 2) + "\n");
    return { changed: true, platform };
  });
}

/** Swap the `"backend": {…}` text that follows `"name": "<infra>"`; undefined when the layout is not recognised. */
function replaceBackendText(text: string, infraName: string, backend: StateBackend): string | undefined {
  const nameAt = text.search(new RegExp(`"name"\\s*:\\s*"${infraName}"`));
  if (nameAt < 0) return undefined;
  const keyAt = text.indexOf('"backend"', nameAt);
  const open = keyAt < 0 ? -1 : text.indexOf("{", keyAt);
  if (open < 0) return undefined;
  let depth = 0;
  let end = -1;
  for (let k = open; k < text.length; k++) {
    if (text[k] === "{") depth++;
    else if (text[k] === "}" && --depth === 0) {
      end = k;
      break;
    }
  }
  if (end < 0) return undefined;
  const inner = Object.entries(backend)
    .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`)
    .join(", ");
  const next = `${text.slice(0, open)}{ ${inner} }${text.slice(end + 1)}`;
  // Trust the splice only if it parses to exactly the intended document.
  try {
    const a = JSON.parse(next) as { infrastructures: Array<{ name: string; backend: unknown }> };
    if (JSON.stringify(a.infrastructures.find((x) => x.name === infraName)?.backend) !== JSON.stringify(backend)) return undefined;
  } catch {
    return undefined;
  }
  return next;
}

export interface BootstrapResult {
  readonly infrastructure: string;
  readonly bucket: string;
  readonly stack: string;
  readonly directory: string;
  readonly offline: boolean;
  readonly applied: boolean;
  readonly plan: { add: number; change: number; destroy: number };
  readonly migrate: string[];
}

/**
 * Synthesize the account's bootstrap stack, then terraform init / validate / plan with local state
 * (and apply unless offline). Offline, an override file swaps in skip-flags and fake credentials
 * (lib/terraform.ts) so the plan needs no network — only behind the explicit --offline flag.
 */
export async function bootstrapBackend(o: {
  platform: Platform;
  infra: Infrastructure;
  bucket?: string;
  offline: boolean;
  outDir?: string;
  progress: (l: string) => void;
  /** Base environment of the Terraform processes (default process.env; the sandbox points it at the local AWS). */
  env?: NodeJS.ProcessEnv;
  /** Directory the bootstrap's local state lives under (default the repository root). */
  stateRoot?: string;
}): Promise<BootstrapResult> {
  const bucket = o.bucket ?? (o.infra.backend.kind === "s3" ? o.infra.backend.bucket : defaultStateBucket(o.infra));
  const stackName = bootstrapStackName(o.infra);
  const outdir = o.outDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "arda-mail-bootstrap-"));
  const statePath = path.join(o.stateRoot ?? REPO_ROOT, "state", o.platform.name, "bootstrap", `${o.infra.name}.tfstate`);
  const app = new App({ outdir });
  new StateBackendBootstrapStack(app, stackName, { infrastructure: o.infra, platformName: o.platform.name, bucket, statePath });
  app.synth();
  const dir = path.join(outdir, "stacks", stackName);
  o.progress(`${o.infra.name}: synthesized ${stackName} (bucket ${bucket}) in ${dir}`);
  let env: NodeJS.ProcessEnv;
  if (o.offline) {
    writeOfflineOverride(dir, { statePath: path.join(dir, "terraform.offline.tfstate") });
    env = terraformEnv(OFFLINE_AWS_ENV, o.env);
  } else {
    fs.mkdirSync(path.dirname(statePath), { recursive: true });
    env = terraformEnv(o.infra.awsProfile ? { AWS_PROFILE: o.infra.awsProfile } : {}, o.env);
  }
  const tf = async (args: string[]): Promise<string> => {
    o.progress(`${o.infra.name}: terraform ${args[0]}…`);
    const r = await runTerraform(args, { cwd: dir, env, timeoutMs: 300_000 });
    if (r.code !== 0) {
      const detail = (r.stderr.trim() || r.stdout.trim()).split("\n").slice(-25).join("\n");
      throw new FlowError(
        `terraform ${args[0]} failed for ${stackName} (exit ${r.code}):\n${detail}`,
        o.offline
          ? "run `npm run build` (terraform.rc, provider mirror) and retry"
          : `check the AWS credentials of profile ${o.infra.awsProfile ?? "(none in the model)"}, or run with --offline to plan without AWS`,
      );
    }
    return r.stdout;
  };
  await tf(["init", "-input=false", "-no-color"]);
  await tf(["validate", "-no-color"]);
  const planOut = await tf(["plan", "-input=false", "-no-color", "-out=bootstrap.tfplan"]);
  const m = /Plan: (\d+) to add, (\d+) to change, (\d+) to destroy/.exec(planOut);
  const plan = m ? { add: Number(m[1]), change: Number(m[2]), destroy: Number(m[3]) } : { add: 0, change: 0, destroy: 0 };
  o.progress(`${o.infra.name}: plan: ${plan.add} to add, ${plan.change} to change, ${plan.destroy} to destroy`);
  let applied = false;
  if (!o.offline) {
    await tf(["apply", "-input=false", "-no-color", "bootstrap.tfplan"]);
    applied = true;
  }
  const migrate = [
    `arda-mail backend set ${o.infra.name} s3 --bucket ${bucket} --key-prefix arda-mail/${o.platform.name} --region ${o.infra.region}`,
    "npm run synth",
    `for each stack of ${o.infra.name}: cd cdktf.out/stacks/<stack> && terraform init -migrate-state`,
  ];
  return { infrastructure: o.infra.name, bucket, stack: stackName, directory: dir, offline: o.offline, applied, plan, migrate };
}
