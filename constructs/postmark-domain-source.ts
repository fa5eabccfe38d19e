import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { MailContextEntry } from "../platform/mail-context";

/** Where a PostmarkSendingDomain's values come from; hides the two paths from the construct. */
export interface PostmarkDomainSource {
  readonly domainId: string;
  readonly dkimSelector: string;
  readonly dkimPublicKey: string;
  /** The DKIM value as one Route53 record entry (split into ≤ 255-character strings). */
  readonly dkimTxtRecord: string;
  readonly returnPathTarget: string;
  verifyAfter(records: ITerraformDependable[]): void;
}

export function postmarkDomainSource(
  scope: Construct,
  _sendingDomain: string,
  dkim: { kind: "context"; entry: MailContextEntry } | { kind: "provider" },
): PostmarkDomainSource {
  if (dkim.kind === "provider") throw new Error("provider-mode DKIM source: not wired yet");
  const e = dkim.entry;
  void scope;
  return {
    domainId: String(e.domainId),
    dkimSelector: e.dkimSelector,
    dkimPublicKey: e.dkimPublicKey,
    dkimTxtRecord: e.dkimPublicKey,
    returnPathTarget: e.returnPathTarget,
    verifyAfter: () => undefined,
  };
}
