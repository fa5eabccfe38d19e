import { Route53Zone } from "@cdktf/provider-aws/lib/route53-zone";
import { TerraformStack, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { accountProvider, upstreamDnsProvider } from "../constructs/aws-account-provider";
import { postmarkProvider } from "../constructs/postmark-provider";
import { DkimValues, PostmarkSendingDomain } from "../constructs/postmark-sending-domain";
import { postmarkAccountTokenVariable } from "../constructs/sensitive-variable";
import { applyStateBackend } from "../constructs/state-backend";
import { terraformLiteral as lit } from "../constructs/terraform-literal";
import { UpstreamNsDelegation } from "../constructs/upstream-ns-delegation";
import type { Infrastructure, Platform } from "../platform/model";
import { rootInfrastructure } from "../platform/names";
import { upstreamDnsRoleArn } from "./upstream-role";

export interface MailZoneStackProps {
  readonly infrastructure: Infrastructure;
  /** The sending domain, which is also the zone's name (`dev.ardamails.com`, `arda.ardamails.com`). */
  readonly domain: string;
  /** Construct id of the zone (its Terraform address): immutable once deployed. */
  readonly zoneId: string;
  readonly zoneComment: string;
  /** The live zone's id when the model records one: adopted with an `import` block, never a second zone. */
  readonly adoptZoneId?: string;
  readonly postmarkAccount: string;
  readonly dkim: DkimValues;
}

/**
 * What every child stack of the mail root has in common (Corporate and each partition): its
 * account's backend and provider, a zone delegated from the root zone through the assumed Root role
 * (DQ-R1-006/-010), and the Postmark sending domain at the zone apex with its records and verification.
 */
export class MailZoneStack extends TerraformStack {
  readonly zone: Route53Zone;
  readonly sendingDomain: PostmarkSendingDomain;
  /** The sensitive Postmark account-token variable (also configures the Postmark provider). */
  readonly postmarkAccountToken: TerraformVariable;

  constructor(scope: Construct, stackName: string, platform: Platform, props: MailZoneStackProps) {
    super(scope, stackName);
    const root = rootInfrastructure(platform);
    applyStateBackend(this, stackName, props.infrastructure.backend);
    accountProvider(this, props.infrastructure, platform.name);
    const upstream = upstreamDnsProvider(this, {
      region: root.region,
      rootAccountId: root.accountId,
      roleArn: upstreamDnsRoleArn(platform),
      sessionName: `arda-mail-${stackName}`.slice(0, 64),
    });
    this.postmarkAccountToken = postmarkAccountTokenVariable(this, props.postmarkAccount);
    postmarkProvider(this, this.postmarkAccountToken, platform.postmarkProviderSource);

    this.zone = new Route53Zone(this, props.zoneId, { name: lit(props.domain), comment: lit(props.zoneComment) });
    if (props.adoptZoneId) this.zone.importFrom(lit(props.adoptZoneId));
    const delegation = new UpstreamNsDelegation(this, "ns_delegation", { zone: this.zone, zoneName: props.domain, parentZoneId: lit(platform.rootZone.id), upstreamProvider: upstream });
    this.sendingDomain = new PostmarkSendingDomain(this, "sending_domain", {
      sendingDomain: props.domain,
      zoneId: this.zone.zoneId,
      dmarcReportMailbox: platform.dmarcReportMailbox,
      dkim: props.dkim,
      delegation: delegation.record,
    });
  }
}
