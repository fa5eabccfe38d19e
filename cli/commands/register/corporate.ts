import { RegisterCommandBase } from "../../lib/register-command";
import { corporateTarget, type RegisterResult } from "../../../flows/register";

export default class RegisterCorporate extends RegisterCommandBase<typeof RegisterCorporate> {
  static summary = "Register the Corporate sending domain (arda.<root>) on the Corporate Postmark account and write corporateMail:<infra>:<label>.";
  static description = "Same flow as `register <infra> <partition>`, for the Corporate instance group's parent domain; its leaves (freekanban.arda.<root>) inherit its DKIM.";
  static examples = ["<%= config.bin %> register corporate", "<%= config.bin %> register corporate --dry-run --json"];
  static flags = RegisterCommandBase.sharedFlags;

  public async run(): Promise<RegisterResult> {
    return this.register(corporateTarget(this.platform()));
  }
}
