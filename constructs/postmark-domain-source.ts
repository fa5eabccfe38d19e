import { ITerraformDependable, Fn } from "cdktf";
import { Construct } from "constructs";
import { Domain } from "../.gen/providers/postmark/domain";
import { DomainVerification } from "../.gen/providers/postmark/domain-verification";
import { rotationDkimKeys, type MailContextEntry } from "../platform/mail-context";
import { returnPathDomainFor, route53TxtRecord, TXT_CHUNK, type RotationDkimKey } from "../platform/placement";
import { terraformLiteral as lit } from "./terraform-literal";

/** Where a PostmarkSendingDomain's values come from; hides the two paths from the construct. */
export interface PostmarkDomainSource {
  readonly domainId: string;
  readonly dkimSelector: string;
  readonly dkimPublicKey: string;
  /** The DKIM value as one Route53 record entry (split into ≤ 255-character strings). */
  readonly dkimTxtRecord: string;
  readonly returnPathTarget: string;
  /** Keys of a DKIM rotation published beside the signing key (context path; none in the provider path). */
  readonly rotationKeys: readonly RotationDkimKey[];
  /** The `postmark_domain` resource (provider path only). */
  readonly domain?: Domain;
  /** Add the verification that waits until Postmark sees the given records. */
  verifyAfter(records: ITerraformDependable[]): DomainVerification;
}

export function postmarkDomainSource(scope: Construct, sendingDomain: string, dkim: { kind: "context"; entry: MailContextEntry } | { kind: "provider" }): PostmarkDomainSource {
  const verifyAfter =
    (domainId: string, dkimValue: string, returnPathTarget: string, pendingValue?: string) =>
    (records: ITerraformDependable[]): DomainVerification =>
      new DomainVerification(scope, "verification", {
        domainId,
        // A new DKIM key (signing or pending) or Return-Path target re-runs the verification.
        triggers: { dkim: dkimValue, return_path: returnPathTarget, ...(pendingValue ? { dkim_pending: pendingValue } : {}) },
        dependsOn: records,
      });

  if (dkim.kind === "context") {
    const e = dkim.entry;
    const rotationKeys = rotationDkimKeys(e);
    const pendingKey = rotationKeys.find((k) => k.role === "pending")?.publicKey;
    return {
      rotationKeys,
      domainId: String(e.domainId),
      dkimSelector: e.dkimSelector,
      dkimPublicKey: e.dkimPublicKey,
      dkimTxtRecord: route53TxtRecord(e.dkimPublicKey),
      returnPathTarget: e.returnPathTarget,
      verifyAfter: verifyAfter(lit(String(e.domainId)), lit(e.dkimPublicKey), lit(e.returnPathTarget), pendingKey === undefined ? undefined : lit(pendingKey)),
    };
  }
  // Provider path: Postmark is asked at apply time; DNS takes the resource's computed attributes.
  const domain = new Domain(scope, "domain", { name: lit(sendingDomain), returnPathDomain: lit(returnPathDomainFor(sendingDomain)) });
  return {
    domain,
    rotationKeys: [],
    domainId: domain.id,
    dkimSelector: domain.dkimSelector,
    dkimPublicKey: domain.dkimRecordValue,
    // Same split as route53TxtRecord, done by Terraform because the value is known only at apply.
    dkimTxtRecord: Fn.join(Fn.rawString('""'), Fn.regexall(`.{1,${TXT_CHUNK}}`, domain.dkimRecordValue)),
    returnPathTarget: domain.returnPathDomainCnameValue,
    verifyAfter: verifyAfter(domain.id, domain.dkimRecordValue, domain.returnPathDomainCnameValue),
  };
}
