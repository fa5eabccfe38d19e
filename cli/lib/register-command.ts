import { Command, Flags } from "@oclif/core";
import { ArdaCommand, CliError } from "../base-command";
import { registerDomain, type RegisterResult, type RegisterTarget } from "../../flows/register";

/** The common body of `register <infra> <partition>` and `register corporate`. */
export abstract class RegisterCommandBase<T extends typeof Command> extends ArdaCommand<T> {
  static sharedFlags = {
    "dry-run": Flags.boolean({ description: "show what would happen; create nothing, write nothing", default: false }),
    update: Flags.boolean({ description: "write Postmark's values even when they differ from the committed context (e.g. after a DKIM rotation)", default: false }),
  };

  protected async register(target: RegisterTarget): Promise<RegisterResult> {
    const token = await this.readSecret(target.tokenRef, `Postmark account token of ${target.postmarkAccount}`);
    const flags = this.flags as unknown as { "dry-run": boolean; update: boolean };
    const result = await registerDomain({
      target,
      client: this.postmark(token),
      contextFile: this.contextFile(),
      dryRun: flags["dry-run"],
      update: flags.update,
      progress: (l) => this.progress(l),
    });
    if (result.context === "differs-not-written") {
      throw new CliError(
        `${target.label}: Postmark's values for ${target.domain} differ from the committed ${target.contextKey} (listed above); nothing was written`,
        `if the change is expected (e.g. after a DKIM rotation), re-run with --update and commit ${result.contextFile}`,
        1,
        { differences: result.differences },
      );
    }
    return result;
  }
}
