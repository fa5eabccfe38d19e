/**
 * DNS-name rules, pure (no file system, no model): shared by the platform loader, the naming
 * functions and the Postmark provider, which must not pull the loader into its bundle.
 */

/** One DNS label as Arda writes them: lower-case letters, digits, inner hyphens, at most 63. */
export const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** The longest domain name DNS allows (RFC 1035, in text form without the final dot). */
export const MAX_DOMAIN_NAME_LENGTH = 253;

/** True when `label` is a single DNS-safe label (lower-case letters, digits, inner hyphens, ≤ 63). */
export function isDnsLabel(label: string): boolean {
  return DNS_LABEL.test(label);
}

/** True when `name` is at least two dot-separated DNS-safe labels and at most 253 characters. */
export function isDomainName(name: string): boolean {
  return name.length <= MAX_DOMAIN_NAME_LENGTH && name.split(".").length >= 2 && name.split(".").every(isDnsLabel);
}
