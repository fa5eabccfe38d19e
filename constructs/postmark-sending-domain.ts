import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { MailContextEntry } from "../platform/mail-context";
import { DomainVerification } from "../.gen/providers/postmark/domain-verification";
import { route53TxtRecord, sendingDomainPlacement, SendingDomainPlacement } from "../platform/placement";
import { MailPolicyRecords } from "./mail-policy-records";
import { PostmarkDomainSource, postmarkDomainSource } from "./postmark-domain-source";
import { terraformLiteral } from "./terraform-literal";

export type DkimValues =
  /** Values `arda-mail register` wrote into the context (the seed's path, the default). */
  | { readonly kind: "context"; readonly entry: MailContextEntry }
  /** A `postmark_domain` resource in this stack; DNS takes its computed attributes. */
  | { readonly kind: "provider" };

export interface PostmarkSendingDomainProps {
  /** The instance-group parent that Postmark verifies (partition apex, or the Corporate zone). */
  readonly sendingDomain: string;
  /** The sending domain's own hosted zone. */
  readonly zoneId: string;
  readonly dmarcReportMailbox: string;
  readonly dkim: DkimValues;
  /** Records must exist before Postmark can see them; the verification waits for them. */
  readonly verify?: boolean;
  /**
   * The zone's NS delegation in its parent: until it exists nothing below the zone resolves on the
   * internet, so the verification waits for it as well as for the records.
   */
  readonly delegation?: ITerraformDependable;
}

/**
 * A Postmark sending domain and its DNS: SPF, DMARC, DKIM TXT and Return-Path CNAME, placed by
 * `sendingDomainPlacement()`, plus a `postmark_domain_verification` that waits until Postmark sees
 * them. The public surface is the same whichever source the DKIM values come from.
 */
export class PostmarkSendingDomain extends Construct {
  readonly placement: SendingDomainPlacement;
  /** The signing key's TXT record, then any rotation keys' (context path only). */
  readonly dkimRecords: Route53Record[];
  readonly returnPathRecord: Route53Record;
  readonly policy: MailPolicyRecords;
  /** The Postmark domain id (a literal from the context, or the resource's id). */
  readonly domainId: string;
  readonly source: PostmarkDomainSource;
  readonly verification?: DomainVerification;

  constructor(scope: Construct, id: string, props: PostmarkSendingDomainProps) {
    super(scope, id);
    this.source = postmarkDomainSource(this, props.sendingDomain, props.dkim);
    this.domainId = this.source.domainId;
    this.placement = sendingDomainPlacement({
      sendingDomain: props.sendingDomain,
      dkim: { selector: this.source.dkimSelector, publicKey: this.source.dkimPublicKey },
      rotationKeys: this.source.rotationKeys,
      dmarcReportMailbox: props.dmarcReportMailbox,
      returnPathTarget: this.source.returnPathTarget,
    });
    this.policy = new MailPolicyRecords(this, "policy", { zoneId: props.zoneId, spf: this.placement.spf, dmarc: this.placement.dmarc });
    // With literal selectors (context path) each key's record is addressed by its selector: when a
    // rotation completes, the pending key becomes the signing key under the same address, so
    // Terraform changes nothing — no replace that could race a delete at the same DNS name.
    const dkimId = (selector: string): string => (props.dkim.kind === "context" ? `dkim_${selector}` : "dkim");
    // Context values are literals (escaped); the provider path's are references (kept live).
    const lit = props.dkim.kind === "context" ? terraformLiteral : (s: string): string => s;
    const dkimRecord = (id: string, name: string, txtRecord: string): Route53Record =>
      new Route53Record(this, id, { zoneId: props.zoneId, name: lit(name), type: "TXT", ttl: 3600, records: [lit(txtRecord)] });
    this.dkimRecords = [
      dkimRecord(dkimId(this.source.dkimSelector), this.placement.dkim.name, this.source.dkimTxtRecord),
      ...this.placement.rotationDkim.map((k) => dkimRecord(dkimId(k.selector), k.name, route53TxtRecord(k.value))),
    ];
    this.returnPathRecord = new Route53Record(this, "return_path", {
      zoneId: props.zoneId,
      name: terraformLiteral(this.placement.returnPath.name),
      type: "CNAME",
      ttl: 3600,
      records: [lit(this.placement.returnPath.target)],
    });
    if (props.verify ?? true) {
      this.verification = this.source.verifyAfter([...this.dkimRecords, this.returnPathRecord, ...(props.delegation ? [props.delegation] : [])]);
    }
  }
}
