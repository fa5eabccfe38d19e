import * as path from "node:path";
import { CloudBackend, LocalBackend, NamedCloudWorkspace, S3Backend, TerraformStack } from "cdktf";
import { REPO_ROOT } from "../platform/load";
import type { StateBackend } from "../platform/model";

/**
 * Construct-tree context key: the directory a local backend's `directory` is resolved against
 * (default: the repository root). Set on the App (main.ts `stateRoot`) so tests keep their state
 * out of the checkout.
 */
export const STATE_ROOT_CONTEXT = "arda-mail:stateRoot";

/**
 * `ARDA_MAIL_STATE_ROOT`: where local-backend state lives instead of the repository (rehearsals,
 * tests) — read here for every synth (main.ts `buildApp`) and the deploy's pre-flight, so no entry
 * point can forget it (the takeover command did, and found a rehearsal's stale state in the
 * checkout). Must be an absolute path.
 */
export function stateRootFromEnvironment(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const v = env.ARDA_MAIL_STATE_ROOT;
  if (v === undefined || v === "") return undefined;
  if (!path.isAbsolute(v) || /[\u0000-\u001f\u007f]/.test(v)) throw new Error(`ARDA_MAIL_STATE_ROOT ${JSON.stringify(v.slice(0, 200))} is not an absolute directory path`);
  return path.resolve(v);
}

/** Where a local backend keeps one stack's state: absolute, so any work directory finds the same file. */
export function localStatePath(directory: string, stackName: string, stateRoot: string = REPO_ROOT): string {
  return path.resolve(stateRoot, directory, `${stackName}.tfstate`);
}

/**
 * Give a stack its account's state backend. A local path is absolute (resolved against the
 * repository root, or the App's state root): Terraform resolves a relative one against its working
 * directory, so a deploy from a temp work directory lost the state and created a second zone.
 * Backend arguments are literals to Terraform (not templates), so model values go in unescaped —
 * their shapes are checked at load.
 */
export function applyStateBackend(stack: TerraformStack, stackName: string, backend: StateBackend): void {
  switch (backend.kind) {
    case "local": {
      const root = stack.node.tryGetContext(STATE_ROOT_CONTEXT) as unknown;
      new LocalBackend(stack, { path: localStatePath(backend.directory, stackName, typeof root === "string" && root ? root : REPO_ROOT) });
      return;
    }
    case "s3": {
      const s3 = new S3Backend(stack, { bucket: backend.bucket, key: `${backend.keyPrefix}/${stackName}.tfstate`, region: backend.region, encrypt: true });
      // CDKTF 0.21 lacks `use_lockfile` (S3-native locking, Terraform ≥ 1.10).
      s3.addOverride("use_lockfile", true);
      return;
    }
    case "cloud":
      new CloudBackend(stack, {
        organization: backend.organization,
        workspaces: new NamedCloudWorkspace(`${backend.workspacePrefix}${stackName}`, backend.project),
      });
      return;
  }
}
