import { RegisterCommandBase } from "../lib/register-command";
import { partitionTarget, type RegisterResult } from "../../flows/register";
import { partitionArgs } from "../lib/args";

export default class Register extends RegisterCommandBase<typeof Register> {
  static summary = "Register a partition's sending domain with Postmark and write its DKIM / Return-Path values to the CDKTF context.";
  static description =
    "Pre-flight (partition exists, is active and not reserved; Postmark account and vault known; token resolves), then find-or-create " +
    "the Postmark domain <partition>.<root> with Return-Path pm-bounces.<partition>.<root> (lists every page first: an existing domain is " +
    "used, never duplicated), then writes partitionMail:<infra>:<partition> into the context file atomically. Idempotent: a second run " +
    "changes nothing. A DKIM value that differs from the committed one is reported and written only with --update.";
  static examples = [
    "<%= config.bin %> register Alpha002 dev",
    "<%= config.bin %> register Alpha001 prod --dry-run",
    "<%= config.bin %> register Alpha002 dev --secrets file:./sandbox.secrets.json --postmark-url http://127.0.0.1:4010 --json",
    "<%= config.bin %> register corporate",
  ];
  static args = partitionArgs;
  static flags = RegisterCommandBase.sharedFlags;

  public async run(): Promise<RegisterResult> {
    return this.register(partitionTarget(this.platform(), this.args.infrastructure as string, this.args.partition as string));
  }
}
