import * as path from "node:path";
import { CloudBackend, LocalBackend, NamedCloudWorkspace, S3Backend, TerraformStack } from "cdktf";
import type { StateBackend } from "../platform/model";

/**
 * Give a stack its account's state backend. Backend arguments are literals to Terraform (not
 * templates), so model values go in unescaped — their shapes are checked at load.
 * Local paths are relative to the synthesized stack
 * directory (`cdktf.out/stacks/<stack>/`) so the output does not depend on where it was built.
 */
export function applyStateBackend(stack: TerraformStack, stackName: string, backend: StateBackend): void {
  switch (backend.kind) {
    case "local":
      new LocalBackend(stack, { path: path.posix.join("../../..", backend.directory, `${stackName}.tfstate`) });
      return;
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
