import { Route53Zone } from "@cdktf/provider-aws/lib/route53-zone";
import { TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { accountProvider } from "../constructs/aws-account-provider";
import { DnsRecordsRole } from "../constructs/dns-records-role";
import { MailPolicyRecords } from "../constructs/mail-policy-records";
import { applyStateBackend } from "../constructs/state-backend";
import { terraformLiteral as lit } from "../constructs/terraform-literal";
import type { Platform } from "../platform/model";
import { activePartitions, corporateDomain, partitionDomain, ROOT_STACK, rootInfrastructure } from "../platform/names";
import { dmarcPolicy, ROOT_SPF } from "../platform/placement";

/**
 * `Root` (seed: RootConfiguration), platformRoot account: the mail root zone — the registrar's
 * existing zone, adopted with an `import` block, never a second zone (DQ-R1-008) — the role the child
 * stacks assume to write their NS delegations (DQ-R1-006), and the parent SPF / DMARC. No runtime
 * records live here (DQ-010).
 */
export class RootStack extends TerraformStack {
  readonly zone: Route53Zone;
  readonly dnsRecordsRole: DnsRecordsRole;

  constructor(scope: Construct, platform: Platform) {
    super(scope, ROOT_STACK);
    const root = rootInfrastructure(platform);
    applyStateBackend(this, ROOT_STACK, root.backend);
    accountProvider(this, root, platform.name, { tagResources: false });

    this.zone = new Route53Zone(this, "mail_root_zone", {
      name: lit(platform.mailRootDomain),
      // Mirrors the live zone's registrar comment so adoption is read-only (DQ-R1-008); free text, hence escaped.
      comment: lit(platform.rootZone.comment),
      forceDestroy: false,
      lifecycle: { preventDestroy: true },
    });
    this.zone.importFrom(lit(platform.rootZone.id));

    // Child accounts (and Root itself, for Corporate: DQ-R1-010) may assume the role to write
    // NS records — NS only, in the mail root zone only.
    const childAccounts = [...new Set([root.accountId, ...activePartitions(platform).map((p) => platform.infrastructures.find((i) => i.name === p.infrastructure)!.accountId)])];
    const delegated = [corporateDomain(platform), ...activePartitions(platform).map((p) => partitionDomain(platform, p))];
    this.dnsRecordsRole = new DnsRecordsRole(this, "AllowCreatingNSRecordsRole", {
      roleName: { name: platform.dnsRecordsRoleName },
      description: `Lets child mail stacks write their NS delegations (${delegated.join(", ")}) into ${platform.mailRootDomain}.`,
      zoneIds: [lit(platform.rootZone.id)],
      recordTypes: ["NS"],
      trust: {
        effect: "Allow",
        actions: ["sts:AssumeRole"],
        principals: [{ type: "AWS", identifiers: childAccounts.map((a) => lit(`arn:aws:iam::${a}:root`)) }],
      },
    });

    new MailPolicyRecords(this, "apex_policy", {
      zoneId: this.zone.zoneId,
      spf: { name: platform.mailRootDomain, value: ROOT_SPF },
      dmarc: { name: `_dmarc.${platform.mailRootDomain}`, value: dmarcPolicy(platform.dmarcReportMailbox) },
    });

    new TerraformOutput(this, "MailRootZoneId", { value: this.zone.zoneId, description: "Hosted zone id of the mail root domain." });
    new TerraformOutput(this, "MailRootZoneName", { value: this.zone.name });
    new TerraformOutput(this, "AllowCreatingNSRecordsRoleArn", { value: this.dnsRecordsRole.role.arn, description: "Role the child stacks assume to write NS delegations." });
  }
}
