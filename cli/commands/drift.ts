import { Flags } from "@oclif/core";
import { readContext } from "../../platform/mail-context";
import { detectDrift, formatDrift, INSTANCE_GROUPS, type DriftReport, type InstanceGroup } from "../../flows/drift";
import { ArdaCommand } from "../base-command";
import { defaultOffline, dnsReaderFromFlags, parentServerFlag, resolverFlag } from "../lib/deploy-flags";
import { secretsManagerReader } from "../../lib/aws/secrets";
import { awsConfigFile } from "../../lib/aws-config";
import type { Infrastructure } from "../../platform/model";
import { FailedWithResult } from "../lib/errors";

export default class Drift extends ArdaCommand<typeof Drift> {
  static summary = "Detect drift between Postmark, DNS, the placement function and the committed context (exit 1 on any drift).";
  static description =
    "For Corporate and every active partition: Postmark's domain state (name, current/pending DKIM, Return-Path, verified flags) ↔ " +
    "what DNS serves (--resolver) ↔ where sendingDomainPlacement() puts each record ↔ the committed context entry; plus the 1Password " +
    "items every deploy needs (both Postmark account tokens, each partition's token and key registry, Corporate assets' server tokens). " +
    "--json gives the machine-readable report the scheduled workflows turn into one GitHub issue per drifted asset.";
  static examples = [
    "<%= config.bin %> drift",
    "<%= config.bin %> drift --instance-group corporate --json",
    "<%= config.bin %> drift --instance-group runtime-platform --resolver 127.0.0.1:5353 --parent-server 127.0.0.1:5353",
    "<%= config.bin %> drift --instance-group corporate --ci --json",
  ];
  static flags = {
    "instance-group": Flags.string({ description: "limit to one instance group", options: [...INSTANCE_GROUPS] }),
    resolver: resolverFlag,
    "parent-server": parentServerFlag,
    ci: Flags.boolean({
      description:
        "CI mode (the scheduled workflows): read only Arda-SystemsOAM (DQ-R1-007) — Postmark through CI's own tokens op://Arda-SystemsOAM/Drift-<PostmarkAccount>/credential; deploy-time 1Password items are left to deploy's pre-flight",
      default: false,
    }),
  };

  public async run(): Promise<DriftReport> {
    const group = this.flags["instance-group"] as InstanceGroup | undefined;
    const dns = dnsReaderFromFlags(this.flags as { resolver?: string; "parent-server"?: string });
    const report = await detectDrift(
      {
        platform: this.platform(),
        context: readContext(this.contextFile()),
        secrets: this.secretStore(),
        dns,
        getDomain: (token, id) => this.postmark(token).getDomain(id),
        remember: (s) => this.rememberSecret(s),
        ci: this.flags.ci,
        // Secrets Manager is compared wherever a deploy would apply (a real platform, or the sandbox's
        // local AWS) — not in CI mode, which has no AWS profile.
        ...(this.flags.ci || defaultOffline(this.platform(), process.env)
          ? {}
          : { secretsManager: (i: Infrastructure) => secretsManagerReader({ profile: i.awsProfile ?? "", region: i.region, configFile: awsConfigFile(), env: process.env }) }),
      },
      group ? [group] : INSTANCE_GROUPS,
    );
    this.progress(formatDrift(report));
    if (report.drifted) throw new DriftFound(report);
    return report;
  }
}

export class DriftFound extends FailedWithResult {
  constructor(readonly report: DriftReport) {
    super(
      `drift in ${report.assets
        .filter((a) => a.drifted)
        .map((a) => a.asset)
        .join(", ")}`,
      report,
    );
    this.name = "DriftFound";
  }
}
