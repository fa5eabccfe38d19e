/**
 * A Postmark domain's public values as the context entry synth reads — one function for
 * `register` (which writes it) and `drift` (which compares the committed entry with it).
 */
import type { MailContextEntry, RotationKey } from "../../platform/mail-context";
import { dkimSelectorFromHost, POSTMARK_RETURN_PATH_TARGET } from "../../platform/placement";
import type { DomainDetails } from "./types";

export class NoDkimKeyError extends Error {}

function rotationKeysOf(d: DomainDetails): RotationKey[] {
  const keys: RotationKey[] = [];
  // Postmark signs with the current key until it has seen the pending one in DNS: publish both.
  if (d.DKIMPendingHost && d.DKIMPendingTextValue)
    keys.push({ role: "pending", dkimSelector: dkimSelectorFromHost(d.DKIMPendingHost), dkimPublicKey: d.DKIMPendingTextValue, dkimHost: d.DKIMPendingHost });
  // Mail signed with the old key may still be in flight until Postmark says it is safe to remove.
  if (d.DKIMRevokedHost && d.DKIMRevokedTextValue && !d.SafeToRemoveRevokedKeyFromDNS) {
    keys.push({ role: "revoked", dkimSelector: dkimSelectorFromHost(d.DKIMRevokedHost), dkimPublicKey: d.DKIMRevokedTextValue, dkimHost: d.DKIMRevokedHost });
  }
  return keys;
}

/**
 * The signing key is Postmark's current one; before the first verification only the pending key
 * exists and it is the one to publish. Rotation keys ride along (see RotationKey).
 */
export function mailEntryFromDomain(d: DomainDetails): { entry: MailContextEntry; key: "current" | "pending" } {
  const current = Boolean(d.DKIMHost && d.DKIMTextValue);
  const host = current ? d.DKIMHost : d.DKIMPendingHost;
  const value = current ? d.DKIMTextValue : d.DKIMPendingTextValue;
  if (!host || !value) throw new NoDkimKeyError(`Postmark returned domain ${d.Name} (ID ${d.ID}) without any DKIM key`);
  const rotationKeys = current ? rotationKeysOf(d) : [];
  return {
    key: current ? "current" : "pending",
    entry: {
      domainId: d.ID,
      dkimSelector: dkimSelectorFromHost(host),
      dkimPublicKey: value,
      dkimHost: host,
      returnPathDomain: d.ReturnPathDomain,
      returnPathTarget: d.ReturnPathDomainCNAMEValue || POSTMARK_RETURN_PATH_TARGET,
      ...(rotationKeys.length ? { rotationKeys } : {}),
    },
  };
}
