/**
 * Postmark DomainDetails → the attributes shared by resource and data source `postmark_domain`.
 * Also derives the DKIM selector and the ONE DKIM record the DNS must carry, so stacks wire DNS
 * records straight from attributes with no logic of their own.
 */
import type { DomainDetails } from "../../../lib/postmark/types";
import { dkimSelectorFromHost } from "../../../platform/placement";
import type { CtyObject } from "../protocol/cty";
import type { AttributeSpec } from "../protocol/schema";

const computedString = (description: string): AttributeSpec => ({ type: "string", computed: true, description });
const computedBool = (description: string): AttributeSpec => ({ type: "bool", computed: true, description });

/** Everything Postmark tells us about a domain (computed in both resource and data source). */
export const DOMAIN_COMPUTED: Readonly<Record<string, AttributeSpec>> = {
  dkim_host: computedString("Host of the current (verified) DKIM key, e.g. `20260526234343pm._domainkey.dev.ardamails.com`; empty until the first key is verified."),
  dkim_text_value: computedString("TXT value of the current DKIM key (`k=rsa;p=…`)."),
  dkim_pending_host: computedString("Host of the DKIM key waiting for verification (a new domain's first key, or a rotation)."),
  dkim_pending_text_value: computedString("TXT value of the pending DKIM key."),
  dkim_revoked_host: computedString("Host of the DKIM key retired by a rotation."),
  dkim_revoked_text_value: computedString("TXT value of the retired DKIM key."),
  dkim_update_status: computedString("Postmark's DKIMUpdateStatus: `Pending` or `Verified`."),
  dkim_verified: computedBool("Postmark has verified DKIM for this domain (stays true once ever verified)."),
  dkim_selector: computedString("Selector of the effective DKIM key (the part of its host before `._domainkey.`)."),
  dkim_record_host: computedString("Host of the DKIM TXT record the DNS must carry: the current key's, or the pending key's when there is no current key yet."),
  dkim_record_value: computedString("Value of that DKIM TXT record."),
  return_path_domain_verified: computedBool("Postmark has verified the Return-Path CNAME."),
  return_path_domain_cname_value: computedString("Target the Return-Path CNAME must point at (`pm.mtasv.net`)."),
  safe_to_remove_revoked_key_from_dns: computedBool("After a rotation: the revoked key's TXT record may be removed."),
};

export function domainAttributes(d: DomainDetails): CtyObject {
  const current = d.DKIMHost && d.DKIMTextValue ? { host: d.DKIMHost, value: d.DKIMTextValue } : undefined;
  const effective = current ?? { host: d.DKIMPendingHost ?? "", value: d.DKIMPendingTextValue ?? "" };
  return {
    id: String(d.ID),
    name: d.Name,
    return_path_domain: d.ReturnPathDomain ?? "",
    dkim_host: d.DKIMHost ?? "",
    dkim_text_value: d.DKIMTextValue ?? "",
    dkim_pending_host: d.DKIMPendingHost ?? "",
    dkim_pending_text_value: d.DKIMPendingTextValue ?? "",
    dkim_revoked_host: d.DKIMRevokedHost ?? "",
    dkim_revoked_text_value: d.DKIMRevokedTextValue ?? "",
    dkim_update_status: d.DKIMUpdateStatus ?? "",
    dkim_verified: !!d.DKIMVerified,
    dkim_selector: effective.host ? dkimSelectorFromHost(effective.host) : "",
    dkim_record_host: effective.host,
    dkim_record_value: effective.value,
    return_path_domain_verified: !!d.ReturnPathDomainVerified,
    return_path_domain_cname_value: d.ReturnPathDomainCNAMEValue ?? "",
    safe_to_remove_revoked_key_from_dns: !!d.SafeToRemoveRevokedKeyFromDNS,
  };
}

/** A numeric Postmark ID from a Terraform id / import id, or undefined when it is not one. */
export function numericId(text: string): number | undefined {
  return /^[1-9][0-9]{0,15}$/.test(text.trim()) ? Number(text.trim()) : undefined;
}
