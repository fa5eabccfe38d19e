import { corporateMailEntry } from "../../../platform/mail-context";
import { postmarkAccount } from "../../../platform/names";
import { corporateTarget, type VerifyReport } from "../../../flows/verify";
import { VerifyCommandBase } from "../../lib/verify-command";

export default class VerifyCorporate extends VerifyCommandBase<typeof VerifyCorporate> {
  static summary = "Verify the Corporate sending domain (arda.<root>): the same checks as `verify <infra> <partition>`.";
  static description = "NS delegation, SPF, DMARC, DKIM byte-identical to corporateMail:<infra>:<label>, Return-Path CNAME, then Postmark's verify calls on the Corporate account.";
  static examples = ["<%= config.bin %> verify corporate", "<%= config.bin %> verify corporate --resolver 127.0.0.1:5353 --json"];
  static flags = VerifyCommandBase.sharedFlags;

  public async run(): Promise<VerifyReport> {
    const platform = this.platform();
    const account = postmarkAccount(platform, platform.corporate.postmarkAccount);
    return this.verify(
      (entry) => corporateTarget(platform, entry),
      (ctx, file) => corporateMailEntry(platform, ctx, file),
      account.tokenRef,
      `Postmark account token of ${account.name}`,
    );
  }
}
