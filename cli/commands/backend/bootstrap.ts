import { Args, Flags } from "@oclif/core";
import { ArdaCommand, CliError } from "../../base-command";
import { s3BucketNameProblem } from "../../../platform/s3-bucket";
import { defaultStateBucket } from "../../../stacks/state-backend-bootstrap-stack";
import { bootstrapBackend, findInfrastructure, type BootstrapResult } from "../../../flows/backend";

export default class BackendBootstrap extends ArdaCommand<typeof BackendBootstrap> {
  static summary = "Create an AWS account's S3 state bucket through a small bootstrap stack applied with local state.";
  static description =
    "Synthesizes <infra>-StateBackend (bucket versioned, KMS-encrypted, public access blocked, TLS-only policy), runs terraform " +
    "init / validate / plan with local state and applies it with the account's AWS profile, then prints how to migrate the account's " +
    "stacks to the bucket. --offline plans with fake credentials and no network, and never applies.";
  static examples = ["<%= config.bin %> backend bootstrap Alpha002", "<%= config.bin %> backend bootstrap Alpha002 --offline --json"];
  static args = { infrastructure: Args.string({ description: "AWS account name, e.g. Alpha002", required: true }) };
  static flags = {
    offline: Flags.boolean({ description: "synthesize and plan only, with fake credentials (no AWS access, no apply)", default: false }),
    bucket: Flags.string({ description: "bucket name (default: the model's s3 bucket, else arda-mail-tfstate-<account id>)" }),
    out: Flags.string({ description: "directory to synthesize into (default: a temp directory)" }),
  };

  public async run(): Promise<BootstrapResult> {
    const platform = this.platform();
    const infra = findInfrastructure(platform, this.args.infrastructure as string);
    const bucketFlag = this.flags.bucket as string | undefined;
    // The rule `backend set` applies (platform/s3-bucket.ts), before anything is synthesized.
    const problem = bucketFlag === undefined ? undefined : s3BucketNameProblem(bucketFlag);
    if (problem) throw new CliError(`--bucket "${bucketFlag}" is not a valid S3 bucket name: it ${problem}`, `choose a valid name, or omit --bucket for ${defaultStateBucket(infra)}`, 2);
    const r = await bootstrapBackend({
      platform,
      infra,
      bucket: this.flags.bucket as string | undefined,
      offline: this.flags.offline as boolean,
      outDir: this.flags.out as string | undefined,
      progress: (l) => this.progress(l),
    });
    this.progress(`${r.applied ? "Created" : "Planned (offline, nothing created)"}: s3://${r.bucket}. To move ${infra.name}'s stacks onto it:\n${r.migrate.map((m) => `  ${m}`).join("\n")}`);
    return r;
  }
}
