import { Args, Flags } from "@oclif/core";
import { ArdaCommand } from "../../base-command";
import { provisionCorporateAsset, provisionPlan, type ProvisionResult } from "../../../flows/register-corporate";

export default class CorporateProvision extends ArdaCommand<typeof CorporateProvision> {
  static summary = "Corporate Phase A: create a Corporate asset's Postmark server and store its token in 1Password.";
  static description =
    "Checks for conflicts first (Postmark server name, the asset's domain, the 1Password item) and changes nothing if one is taken. " +
    "Then creates the Postmark server (SMTP API on), keeps its token in memory only, writes it to " +
    "op://<corporate vault>/<serverTokenItem>/credential with retries and exponential backoff, and only after that writes the public " +
    "values (server id/name, domain) to the context key corporateAsset:<asset>. On a permanent 1Password failure it exits non-zero with " +
    "a redacted summary and the two recovery paths (DQ-R1-013).";
  static examples = ["<%= config.bin %> corporate provision free-kanban", "<%= config.bin %> corporate provision free-kanban --resume   # after a failed 1Password write"];
  static args = { asset: Args.string({ description: "Corporate asset name from the platform model, e.g. free-kanban", required: true }) };
  static flags = {
    resume: Flags.boolean({ description: "finish an earlier run whose 1Password write failed (the server exists already)", default: false }),
    "op-attempts": Flags.integer({ description: "1Password write attempts before giving up", default: 5, min: 1 }),
    "op-backoff-ms": Flags.integer({ description: "first retry delay; doubles each attempt", default: 1000, min: 0 }),
  };

  public async run(): Promise<ProvisionResult> {
    const plan = provisionPlan(this.platform(), this.args.asset as string);
    const token = await this.readSecret(plan.accountTokenRef, "Corporate Postmark account token");
    return provisionCorporateAsset({
      plan,
      client: this.postmark(token),
      secrets: this.secretStore(),
      contextFile: this.contextFile(),
      resume: this.flags.resume as boolean,
      retry: { attempts: this.flags["op-attempts"] as number, baseDelayMs: this.flags["op-backoff-ms"] as number },
      progress: (l) => this.progress(l),
      remember: (s) => this.rememberSecret(s),
    });
  }
}
