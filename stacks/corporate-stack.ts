import { Route53Zone } from "@cdktf/provider-aws/lib/route53-zone";
import { TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { accountProvider, upstreamDnsProvider } from "../constructs/aws-account-provider";
import { DkimValues, PostmarkSendingDomain } from "../constructs/postmark-sending-domain";
import { applyStateBackend } from "../constructs/state-backend";
import { UpstreamNsDelegation } from "../constructs/upstream-ns-delegation";
import { postmarkAccountTokenVariable } from "../constructs/sensitive-variable";
import { postmarkProvider } from "../constructs/postmark-provider";
import type { Platform } from "../platform/model";
import { CORPORATE_STACK, corporateDomain, infrastructure, rootInfrastructure } from "../platform/names";
import { upstreamDnsRoleArn } from "./upstream-role";

/**
 * `Corporate`, platformRoot account: the `arda.<root>` zone, its NS delegation written into the
 * root zone through the assumed Root role even though same-account (DQ-R1-010), and the Postmark
 * sending domain verified at this parent — leaves such as freekanban inherit its DKIM (DQ-R1-009).
 */
export class CorporateStack extends TerraformStack {
  readonly zone: Route53Zone;
  readonly sendingDomain: PostmarkSendingDomain;

  constructor(scope: Construct, platform: Platform, dkim: DkimValues) {
    super(scope, CORPORATE_STACK);
    const infra = infrastructure(platform, platform.corporate.infrastructure);
    const root = rootInfrastructure(platform);
    const domain = corporateDomain(platform);
    applyStateBackend(this, CORPORATE_STACK, infra.backend);
    accountProvider(this, infra, platform.name);
    const upstream = upstreamDnsProvider(this, { region: root.region, rootAccountId: root.accountId, roleArn: upstreamDnsRoleArn(platform), sessionName: "arda-mail-Corporate" });

    postmarkProvider(this, postmarkAccountTokenVariable(this, platform.corporate.postmarkAccount));

    this.zone = new Route53Zone(this, "corporate_zone", { name: domain, comment: `Arda Corporate mail (${domain}); managed by arda-mail` });
    new UpstreamNsDelegation(this, "ns_delegation", { zone: this.zone, zoneName: domain, parentZoneId: platform.rootZone.id, upstreamProvider: upstream });
    this.sendingDomain = new PostmarkSendingDomain(this, "sending_domain", {
      sendingDomain: domain,
      zoneId: this.zone.zoneId,
      dmarcReportMailbox: platform.dmarcReportMailbox,
      dkim,
    });

    new TerraformOutput(this, "CorporateMailZoneId", { value: this.zone.zoneId });
    new TerraformOutput(this, "CorporateMailZoneName", { value: this.zone.name });
  }
}
