/**
 * Makes a synthesized stack directory self-sufficient for a Terraform Cloud (HCP Terraform)
 * CLI-driven remote run (issue 13). A remote run gets only what `terraform plan/apply` uploads —
 * the stack directory, minus what `.terraformignore` excludes — and runs on linux_amd64 with
 * Terraform's own provider installation: no project terraform.rc, no repository, no Node. So:
 * - our provider sits where Terraform's implied local mirror finds it, inside the directory:
 *   `terraform.d/plugins/registry.terraform.io/arda-cards/postmark/<v>/linux_amd64/` (a hard link to
 *   the one built executable, a copy across file systems) — unless the platform model points the
 *   stacks at a published copy (`postmarkProviderSource`, a registry), which the run downloads;
 * - `.terraform.lock.hcl` pins every provider with its linux_amd64 hash (from a local init here);
 * - `.terraformignore` keeps local-only things (init data, local state, override files, plans) out
 *   of the upload;
 * - the configuration may not name a path on this machine (checked, the stack dir and HOME).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../platform/load";
import { terraformEnv } from "./terraform";

/** The provider version (providers/postmark/package.json) and the one built executable. */
export const POSTMARK_PROVIDER_VERSION = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "providers/postmark/package.json"), "utf8")) as { version: string }).version;
export const POSTMARK_PROVIDER_EXE = path.join(
  REPO_ROOT,
  `build/terraform-mirror/registry.terraform.io/arda-cards/postmark/${POSTMARK_PROVIDER_VERSION}/linux_amd64/terraform-provider-postmark_v${POSTMARK_PROVIDER_VERSION}`,
);
/** Where a remote run's Terraform finds the provider inside the uploaded directory. */
export const REMOTE_PLUGIN_PATH = `terraform.d/plugins/registry.terraform.io/arda-cards/postmark/${POSTMARK_PROVIDER_VERSION}/linux_amd64/terraform-provider-postmark_v${POSTMARK_PROVIDER_VERSION}`;

export const TERRAFORMIGNORE = `# Written by arda-mail (lib/remote-run.ts): what a Terraform Cloud CLI-driven run must not receive.
.terraform/
*.tfstate
*.tfstate.*
*.tfplan
*_override.tf.json
*_override.tf
plan.json
`;

export class RemoteRunError extends Error {
  constructor(
    message: string,
    readonly next: string,
  ) {
    super(message);
    this.name = "RemoteRunError";
  }
}

/** True when the synthesized stack uses the `cloud` backend (Terraform Cloud / HCP Terraform). */
export function usesCloudBackend(stackDir: string): boolean {
  const main = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8")) as { terraform?: { cloud?: unknown } };
  return main.terraform?.cloud !== undefined;
}

export function prepareRemoteRun(stackDir: string, opts: { env?: NodeJS.ProcessEnv } = {}): void {
  const main = fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8");
  for (const local of [REPO_ROOT, os.homedir(), path.resolve(stackDir)]) {
    if (main.includes(local))
      throw new RemoteRunError(`${stackDir}/cdk.tf.json names ${local}, a path on this machine; a remote run cannot reach it`, "Keep paths in the model relative to the stack directory.");
  }
  const source = (JSON.parse(main) as { terraform?: { required_providers?: { postmark?: { source?: string } } } }).terraform?.required_providers?.postmark?.source;
  if (source === "arda-cards/postmark" || source === "registry.terraform.io/arda-cards/postmark") placeProvider(stackDir);
  fs.writeFileSync(path.join(stackDir, ".terraformignore"), TERRAFORMIGNORE);
  writeLockFile(stackDir, opts.env);
}

function placeProvider(stackDir: string): void {
  if (!fs.existsSync(POSTMARK_PROVIDER_EXE)) throw new RemoteRunError(`${POSTMARK_PROVIDER_EXE} is missing`, "Run `npm run build`.");
  const target = path.join(stackDir, REMOTE_PLUGIN_PATH);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.rmSync(target, { force: true });
  try {
    fs.linkSync(POSTMARK_PROVIDER_EXE, target);
  } catch {
    fs.copyFileSync(POSTMARK_PROVIDER_EXE, target);
    fs.chmodSync(target, 0o755);
  }
}

/** `terraform init -backend=false` here writes the lock file with this platform's (linux_amd64) hashes. */
function writeLockFile(stackDir: string, env?: NodeJS.ProcessEnv): void {
  const r = spawnSync("terraform", ["init", "-backend=false", "-input=false", "-no-color"], { cwd: stackDir, env: terraformEnv({}, env ?? process.env), encoding: "utf8" });
  fs.rmSync(path.join(stackDir, ".terraform"), { recursive: true, force: true });
  if (r.status !== 0) throw new RemoteRunError(`terraform init -backend=false in ${stackDir} failed: ${(r.stderr || r.stdout).trim()}`, "Check the providers in terraform.rc (npm run build).");
  const lock = fs.readFileSync(path.join(stackDir, ".terraform.lock.hcl"), "utf8");
  if (!/"h1:/.test(lock)) throw new RemoteRunError(`${stackDir}/.terraform.lock.hcl has no hashes`, "Re-run the synth.");
}
