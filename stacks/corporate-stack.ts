import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { DkimValues } from "../constructs/postmark-sending-domain";
import type { Platform } from "../platform/model";
import { CORPORATE_STACK, corporateDomain, infrastructure } from "../platform/names";
import { MailZoneStack } from "./mail-zone-stack";

/**
 * `Corporate`, platformRoot account: the `arda.<root>` zone, its NS delegation written into the
 * root zone through the assumed Root role even though same-account (DQ-R1-010), and the Postmark
 * sending domain verified at this parent — leaves such as freekanban inherit its DKIM (DQ-R1-009).
 */
export class CorporateStack extends MailZoneStack {
  constructor(scope: Construct, platform: Platform, dkim: DkimValues) {
    const domain = corporateDomain(platform);
    super(scope, CORPORATE_STACK, platform, {
      infrastructure: infrastructure(platform, platform.corporate.infrastructure),
      domain,
      zoneId: "corporate_zone",
      zoneComment: `Arda Corporate mail (${domain}); managed by arda-mail`,
      postmarkAccount: platform.corporate.postmarkAccount,
      dkim,
    });
    new TerraformOutput(this, "CorporateMailZoneId", { value: this.zone.zoneId });
    new TerraformOutput(this, "CorporateMailZoneName", { value: this.zone.name });
  }
}
