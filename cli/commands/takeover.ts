import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Args, Flags } from "@oclif/core";
import { infrastructureOf } from "../../flows/takeover/discover";
import { takeoverStack, takeoverTargets, type StackTakeoverResult } from "../../flows/takeover/takeover";
import { synthPlatform } from "../../flows/synth";
import { awsCloudFormationOps } from "../../lib/aws/cloudformation";
import { secretsManagerReader } from "../../lib/aws/secrets";
import { profileSettings } from "../../lib/aws/settings";
import { awsConfigFile } from "../../lib/aws-config";
import { takeoverFile } from "../../lib/takeover/record";
import { terraformEnv } from "../../lib/terraform";
import { activePartitions, CORPORATE_STACK, postmarkAccount, partitionKeyRegistryRef, partitionPostmarkTokenRef, partitionStackName } from "../../platform/names";
import { FlowError } from "../../flows/errors";
import { ArdaCommand, CliError } from "../base-command";
import { interruptExitCode, listenForInterrupt } from "../lib/interrupt";

export default class Takeover extends ArdaCommand<typeof Takeover> {
  static summary = "Take over the live CloudFormation deployment: adopt every live resource into Terraform, recreate nothing, keep the exports.";
  static description =
    "Per stack (Root first, then Corporate, then the partitions): discover the live resources (CloudFormation stack resources, Route53 zones " +
    "and records, IAM roles, Secrets Manager secrets), map each to its Terraform address in the synthesized stack and plan every import, " +
    "every resource still to be created, every in-place update Terraform's own plan shows (attribute names only) and what " +
    "CloudFormation must retain and delete; refuse when live and model disagree (a model zone id " +
    "that is not live, two live zones of one name, a live role the model would replace, a delete or replace of anything imported). Without --plan-only it then adopts (an import file " +
    "beside the synthesized stack, terraform apply of the saved plan through the deploy's runner, a second plan that must be empty), sets DeletionPolicy Retain on what was adopted and " +
    "checks it with GetTemplate, and replaces the old template with a bridge that keeps publishing the stack's exports with the same values. " +
    "Progress is recorded in takeover/<platform>.json; a re-run skips the steps done. --plan-only reads and changes nothing.";
  static examples = [
    "<%= config.bin %> takeover --all --plan-only",
    "<%= config.bin %> takeover Alpha002-dev-Email --plan-only --json",
    "<%= config.bin %> takeover Root",
    "<%= config.bin %> takeover Alpha002-dev-Email --work-dir /tmp/takeover",
  ];
  static args = { stack: Args.string({ description: "our stack name, e.g. Root or Alpha002-dev-Email (omit with --all)" }) };
  static flags = {
    all: Flags.boolean({ description: "every stack, in order (Root, Corporate, partitions)", default: false }),
    "plan-only": Flags.boolean({ description: "discover and plan only: no file, no record, no change in AWS", default: false }),
    "work-dir": Flags.string({ description: "where the stacks are synthesized (default: a temp dir)" }),
    "takeover-file": Flags.string({ description: "the takeover record (default takeover/<platform>.json)", env: "ARDA_MAIL_TAKEOVER_FILE" }),
  };

  public async run(): Promise<{ stacks: StackTakeoverResult[] }> {
    const platform = this.platform();
    const targets = takeoverTargets(platform, this.args.stack as string | undefined, this.flags.all, awsConfigFile());
    const workDir = this.flags["work-dir"] ?? fs.mkdtempSync(path.join(os.tmpdir(), "arda-mail-takeover-"));
    fs.mkdirSync(workDir, { recursive: true });
    const { stackDirs } = synthPlatform({ platform, outdir: path.join(workDir, "out"), contextFile: this.contextFile(), stacks: targets, hcl: false });
    const results: StackTakeoverResult[] = [];
    // SIGINT/SIGTERM: the takeover stops after the step it is in (recorded); a running terraform gets one SIGINT.
    const stop = listenForInterrupt((l) => this.progress(l), {
      first: (sig) => `${sig} received: the takeover stops after its current step (a running apply finishes first); re-run to resume`,
    });
    try {
      for (const stack of targets) {
        const infra = infrastructureOf(platform, stack);
        const r = await takeoverStack(
          {
            platform,
            stackDirs,
            account: profileSettings,
            cloudFormation: async () => awsCloudFormationOps(await profileSettings(infra.awsProfile!, infra.region)),
            terraform: async (s) => {
              const values = await this.stackSecrets(s);
              const vars = Object.fromEntries(Object.entries(values).map(([k, v]) => [`TF_VAR_${k}`, v]));
              return {
                env: terraformEnv({ AWS_PROFILE: infra.awsProfile!, AWS_REGION: infra.region, AWS_CONFIG_FILE: awsConfigFile(), POSTMARK_API_URL: this.postmarkUrl(), ...vars }),
                values,
                reader: secretsManagerReader({ profile: infra.awsProfile!, region: infra.region, configFile: awsConfigFile() }),
                signal: stop.signal,
              };
            },
            recordFile: takeoverFile(platform, this.flags["takeover-file"]),
            planOnly: this.flags["plan-only"],
            progress: (l) => this.progress(l),
            signal: stop.signal,
          },
          stack,
        );
        this.progress(`${stack}: plan ${r.steps.plan}, adopt ${r.steps.adopt}, retain ${r.steps.retain}, detach ${r.steps.detach}`);
        results.push(r);
      }
    } catch (e) {
      // Interrupted: what finished is recorded (an apply always finishes); exit 128 + the signal's number.
      if (stop.signal.aborted)
        throw new CliError(
          (e as Error).message,
          e instanceof FlowError && e.next ? e.next : "re-run the same `arda-mail takeover` command: it resumes from the record (every step is idempotent)",
          interruptExitCode(stop.signal.reason as NodeJS.Signals),
        );
      throw e;
    } finally {
      stop.release();
    }
    return { stacks: results };
  }

  /** A partition stack's sensitive variables by name (1Password; memory and Terraform's environment only). */
  private async stackSecrets(stack: string): Promise<Record<string, string>> {
    const platform = this.platform();
    if (stack === CORPORATE_STACK)
      return { postmark_account_token: await this.readSecret(postmarkAccount(platform, platform.corporate.postmarkAccount).tokenRef, `the Postmark account token of ${stack}`) };
    const p = activePartitions(platform).find((x) => partitionStackName(x) === stack);
    if (!p) return {};
    return {
      postmark_account_token: await this.readSecret(partitionPostmarkTokenRef(p), `the Postmark account token of ${stack}`),
      email_encryption_key_registry: await this.readSecret(partitionKeyRegistryRef(p), `the key registry of ${stack}`),
    };
  }
}
