import { ITerraformDependable, Fn } from "cdktf";
import { Construct } from "constructs";
import { Domain } from "../.gen/providers/postmark/domain";
import { DomainVerification } from "../.gen/providers/postmark/domain-verification";
import type { MailContextEntry } from "../platform/mail-context";
import { returnPathDomainFor, route53TxtRecord, TXT_CHUNK } from "../platform/placement";

/** Where a PostmarkSendingDomain's values come from; hides the two paths from the construct. */
export interface PostmarkDomainSource {
  readonly domainId: string;
  readonly dkimSelector: string;
  readonly dkimPublicKey: string;
  /** The DKIM value as one Route53 record entry (split into ≤ 255-character strings). */
  readonly dkimTxtRecord: string;
  readonly returnPathTarget: string;
  /** The `postmark_domain` resource (provider path only). */
  readonly domain?: Domain;
  /** Add the verification that waits until Postmark sees the given records. */
  verifyAfter(records: ITerraformDependable[]): DomainVerification;
}

export function postmarkDomainSource(
  scope: Construct,
  sendingDomain: string,
  dkim: { kind: "context"; entry: MailContextEntry } | { kind: "provider" },
): PostmarkDomainSource {
  const verifyAfter =
    (domainId: string, dkimValue: string, returnPathTarget: string) =>
    (records: ITerraformDependable[]): DomainVerification =>
      new DomainVerification(scope, "verification", {
        domainId,
        // A new DKIM key or Return-Path target re-runs the verification.
        triggers: { dkim: dkimValue, return_path: returnPathTarget },
        dependsOn: records,
      });

  if (dkim.kind === "context") {
    const e = dkim.entry;
    return {
      domainId: String(e.domainId),
      dkimSelector: e.dkimSelector,
      dkimPublicKey: e.dkimPublicKey,
      dkimTxtRecord: route53TxtRecord(e.dkimPublicKey),
      returnPathTarget: e.returnPathTarget,
      verifyAfter: verifyAfter(String(e.domainId), e.dkimPublicKey, e.returnPathTarget),
    };
  }
  // Provider path: Postmark is asked at apply time; DNS takes the resource's computed attributes.
  const domain = new Domain(scope, "domain", { name: sendingDomain, returnPathDomain: returnPathDomainFor(sendingDomain) });
  return {
    domain,
    domainId: domain.id,
    dkimSelector: domain.dkimSelector,
    dkimPublicKey: domain.dkimRecordValue,
    // Same split as route53TxtRecord, done by Terraform because the value is known only at apply.
    dkimTxtRecord: Fn.join(Fn.rawString('""'), Fn.regexall(`.{1,${TXT_CHUNK}}`, domain.dkimRecordValue)),
    returnPathTarget: domain.returnPathDomainCnameValue,
    verifyAfter: verifyAfter(domain.id, domain.dkimRecordValue, domain.returnPathDomainCnameValue),
  };
}
