import { partitionMailEntry } from "../../../platform/mail-context";
import { partitionPostmarkTokenRef } from "../../../platform/names";
import { partitionTarget, type VerifyReport } from "../../../flows/verify";
import { VerifyCommandBase } from "../../lib/verify-command";
import { partitionArgs, partitionOrFail } from "../../lib/args";

export default class Verify extends VerifyCommandBase<typeof Verify> {
  static summary = "Verify a partition's mail DNS and Postmark state: NS, SPF, DMARC, DKIM, Return-Path, Postmark verification, outputs.";
  static description =
    "What the operator log's validate-exit checks did by hand. DNS answers come from --resolver <ip:port> (default: the system " +
    "resolver) through Node's own resolver; the NS delegation is read from the parent zone's own server without recursion " +
    "(--parent-server <ip:port>, default the parent's NS at port 53) and must name ≥ 2 name servers, the ones the zone serves itself; SPF and DMARC as the placement " +
    "function says; the DKIM TXT (strings joined) byte-identical to the committed context; the Return-Path CNAME to its target. " +
    "Then Postmark's verifyDkim / verifyReturnPath with bounded retries (the first DKIM call is often still pending), then the " +
    "six stack outputs (offline: among the planned outputs of --plan-json). Each check prints pass/fail with expected and seen; " +
    "the exit code is non-zero if any fails.";
  static examples = [
    "<%= config.bin %> verify Alpha002 dev",
    "<%= config.bin %> verify Alpha002 dev --resolver 127.0.0.1:5353 --parent-server 127.0.0.1:5353 --json",
    "<%= config.bin %> verify Alpha001 prod --no-postmark --resolver 8.8.8.8",
  ];
  static args = partitionArgs;
  static flags = VerifyCommandBase.sharedFlags;

  public async run(): Promise<VerifyReport> {
    const platform = this.platform();
    const p = partitionOrFail(platform, this.args.infrastructure as string, this.args.partition as string);
    return this.verify(
      (entry) => partitionTarget(platform, p, entry),
      (ctx, file) => partitionMailEntry(platform, p, ctx, file),
      partitionPostmarkTokenRef(p),
      `Postmark account token of ${p.infrastructure}/${p.name}`,
    );
  }
}
