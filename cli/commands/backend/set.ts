import { Args, Flags } from "@oclif/core";
import { ArdaCommand, CliError } from "../../base-command";
import type { StateBackend } from "../../../platform/model";
import { describeBackend, findInfrastructure, setBackend } from "../../../flows/backend";
import { defaultStateBucket } from "../../../stacks/state-backend-bootstrap-stack";

export default class BackendSet extends ArdaCommand<typeof BackendSet> {
  static summary = "Set an AWS account's Terraform state backend in the platform model (local | s3 | cloud).";
  static description =
    "Edits platform/<platform>.platform.json atomically; the whole model is re-validated before anything is written. " +
    "After switching an existing account, run `terraform init -migrate-state` in each of its stacks.";
  static examples = [
    "<%= config.bin %> backend set Alpha002 s3 --bucket arda-mail-tfstate-100000000003 --key-prefix arda-mail/sandbox --region us-east-1",
    "<%= config.bin %> backend set Alpha001 cloud --organization arda --workspace-prefix arda-mail- --project email",
    "<%= config.bin %> backend set Root local --directory state/sandbox/Root",
  ];
  static args = {
    infrastructure: Args.string({ description: "AWS account name, e.g. Alpha002", required: true }),
    kind: Args.string({ description: "backend kind", required: true, options: ["local", "s3", "cloud"] }),
  };
  static flags = {
    directory: Flags.string({ description: "local: state directory (relative to the repository)" }),
    bucket: Flags.string({ description: "s3: bucket name (default arda-mail-tfstate-<account id>)" }),
    "key-prefix": Flags.string({ description: "s3: key prefix (default arda-mail/<platform>)" }),
    region: Flags.string({ description: "s3: bucket region (default the account's region)" }),
    organization: Flags.string({ description: "cloud: Terraform Cloud organization" }),
    "workspace-prefix": Flags.string({ description: "cloud: workspace name prefix (default arda-mail-<platform>-)" }),
    project: Flags.string({ description: "cloud: Terraform Cloud project" }),
  };

  public async run(): Promise<{ infrastructure: string; backend: StateBackend; changed: boolean; file: string }> {
    const platform = this.platform();
    const infra = findInfrastructure(platform, this.args.infrastructure as string);
    const f = this.flags as Record<string, string | undefined>;
    let backend: StateBackend;
    switch (this.args.kind) {
      case "local":
        backend = { kind: "local", directory: f.directory ?? `state/${platform.name}/${infra.name}` };
        break;
      case "s3":
        backend = { kind: "s3", bucket: f.bucket ?? defaultStateBucket(infra), keyPrefix: f["key-prefix"] ?? `arda-mail/${platform.name}`, region: f.region ?? infra.region };
        break;
      default:
        if (!f.organization) throw new CliError("a cloud backend needs --organization", "e.g. arda-mail backend set Alpha001 cloud --organization arda");
        backend = { kind: "cloud", organization: f.organization, workspacePrefix: f["workspace-prefix"] ?? `arda-mail-${platform.name}-`, ...(f.project ? { project: f.project } : {}) };
    }
    const file = this.platformFile();
    const { changed } = await setBackend(file, infra.name, backend);
    this.progress(changed ? `${infra.name}: backend is now ${describeBackend(backend)} (${file})` : `${infra.name}: backend already ${describeBackend(backend)} — unchanged`);
    if (changed && infra.backend.kind !== backend.kind) this.progress(`  next: npm run synth, then \`terraform init -migrate-state\` in each ${infra.name} stack`);
    return { infrastructure: infra.name, backend, changed, file };
  }
}
