/**
 * A Postmark domain as `GET /domains/{id}` answers it, for tests that turn Postmark's answer into
 * register output or provider state. Used only by `*.test.ts` files.
 */
import type { DomainDetails } from "../lib/postmark/types";

/** dev.ardamails.com (ID 7) before its first verification: only a pending DKIM key; `over` changes fields. */
export function domainDetails(over: Partial<DomainDetails> = {}): DomainDetails {
  return {
    ID: 7,
    Name: "dev.ardamails.com",
    SPFVerified: false,
    DKIMVerified: false,
    WeakDKIM: false,
    ReturnPathDomainVerified: false,
    SPFHost: "",
    SPFTextValue: "",
    DKIMHost: "",
    DKIMTextValue: "",
    DKIMPendingHost: "20260526234343pm._domainkey.dev.ardamails.com",
    DKIMPendingTextValue: "k=rsa;p=PENDING",
    DKIMRevokedHost: "",
    DKIMRevokedTextValue: "",
    SafeToRemoveRevokedKeyFromDNS: false,
    DKIMUpdateStatus: "Pending",
    ReturnPathDomain: "pm-bounces.dev.ardamails.com",
    ReturnPathDomainCNAMEValue: "pm.mtasv.net",
    ...over,
  };
}
