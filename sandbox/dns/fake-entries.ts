/**
 * Deterministic register values for the sandbox platform (tests, demo, bench): what
 * `arda-mail register` would write, with a DKIM key long enough (> 255 bytes) to need TXT splitting.
 */
import { createHash } from "node:crypto";
import type { MailContextEntry } from "../../platform/mail-context";
import { dkimHostFor, POSTMARK_RETURN_PATH_TARGET, returnPathDomainFor } from "../../platform/placement";

export function fakeDkimKey(seed: string, bytes = 270): string {
  let buf = Buffer.alloc(0);
  for (let i = 0; buf.length < bytes; i++) buf = Buffer.concat([buf, createHash("sha256").update(`${seed}:${i}`).digest()]);
  return `k=rsa;p=${buf.subarray(0, bytes).toString("base64")}`;
}

export function fakeEntry(sendingDomain: string, domainId: number, selector = "20260526234343pm"): MailContextEntry {
  return {
    domainId,
    dkimSelector: selector,
    dkimPublicKey: fakeDkimKey(`${sendingDomain}:${selector}`),
    dkimHost: dkimHostFor(sendingDomain, selector),
    returnPathDomain: returnPathDomainFor(sendingDomain),
    returnPathTarget: POSTMARK_RETURN_PATH_TARGET,
  };
}
