/**
 * Where a sending domain's mail-authentication records go — computed here and only here
 * (the seed's worst bug was two copies of this disagreeing, DQ-R1-009). The stacks, the CLI
 * (`register`, `verify`) and the drift check all call `sendingDomainPlacement()`.
 */

/** Postmark's Return-Path CNAME target. */
export const POSTMARK_RETURN_PATH_TARGET = "pm.mtasv.net";
/** Arda's Return-Path label under every sending domain. */
export const RETURN_PATH_LABEL = "pm-bounces";
/** The partition / Corporate SPF: Postmark's include (the Return-Path covers SPF alignment). */
export const SENDING_SPF = "v=spf1 include:spf.mtasv.net ~all";
/** The mail root apex sends nothing itself. */
export const ROOT_SPF = "v=spf1 -all";
/** Postmark's DKIM selector: the key's creation time `YYYYMMDDhhmmss` (UTC) + `pm`. */
export const POSTMARK_DKIM_SELECTOR = /^\d{14}pm$/;
/** A selector of the longest form Postmark issues (for length checks of derived names). */
export const LONGEST_DKIM_SELECTOR = "20260526234343pm";
/** Route53 refuses a TXT character-string longer than 255 bytes. */
export const TXT_CHUNK = 255;

export function dmarcPolicy(reportMailbox: string): string {
  return `v=DMARC1; p=quarantine; sp=quarantine; rua=mailto:${reportMailbox}`;
}

export function returnPathDomainFor(sendingDomain: string): string {
  return `${RETURN_PATH_LABEL}.${sendingDomain}`;
}

export interface DkimKey {
  /** Postmark's selector, e.g. `20260526234343pm`. */
  readonly selector: string;
  /** The TXT value Postmark publishes, e.g. `k=rsa;p=MIGfMA0G…`. */
  readonly publicKey: string;
}

/** `pending`: Postmark's new key before it signs with it; `revoked`: the old key until it is safe to remove. */
export type RotationRole = "pending" | "revoked";

/** A DKIM key of a rotation in progress, published beside the signing key. */
export interface RotationDkimKey extends DkimKey {
  readonly role: RotationRole;
}

export interface SendingDomainPlacement {
  /** The domain registered with Postmark: the instance-group parent (partition apex or Corporate zone). */
  readonly sendingDomain: string;
  /** The hosted zone every record below is written into. */
  readonly zoneName: string;
  readonly spf: { readonly name: string; readonly value: string };
  readonly dmarc: { readonly name: string; readonly value: string };
  /** The key Postmark signs with. */
  readonly dkim: { readonly name: string; readonly value: string };
  /** Keys of a rotation in progress, published beside it (none outside a rotation). */
  readonly rotationDkim: ReadonlyArray<{ readonly role: RotationRole; readonly selector: string; readonly name: string; readonly value: string }>;
  readonly returnPath: { readonly name: string; readonly target: string };
}

/**
 * The records that make `sendingDomain` a verified Postmark domain. Verification happens at the
 * instance-group parent (DQ-R1-009, DQ-R1-017): leaves and tenants below it inherit its DKIM, so the
 * records always sit at the sending domain itself, inside its own zone — never at a leaf, never in
 * the root zone.
 */
export function sendingDomainPlacement(args: {
  sendingDomain: string;
  dkim: DkimKey;
  rotationKeys?: readonly RotationDkimKey[];
  dmarcReportMailbox: string;
  returnPathTarget?: string;
}): SendingDomainPlacement {
  const d = args.sendingDomain;
  return {
    sendingDomain: d,
    zoneName: d,
    spf: { name: d, value: SENDING_SPF },
    dmarc: { name: `_dmarc.${d}`, value: dmarcPolicy(args.dmarcReportMailbox) },
    dkim: { name: dkimHostFor(d, args.dkim.selector), value: args.dkim.publicKey },
    rotationDkim: (args.rotationKeys ?? []).map((k) => ({ role: k.role, selector: k.selector, name: dkimHostFor(d, k.selector), value: k.publicKey })),
    returnPath: { name: returnPathDomainFor(d), target: args.returnPathTarget ?? POSTMARK_RETURN_PATH_TARGET },
  };
}

/** Where a DKIM key with `selector` is published for `sendingDomain`. */
export function dkimHostFor(sendingDomain: string, selector: string): string {
  return `${selector}._domainkey.${sendingDomain}`;
}

/** Extract the selector from a Postmark DKIM host (`<selector>._domainkey.<domain>`). */
export function dkimSelectorFromHost(host: string): string {
  const i = host.indexOf("._domainkey.");
  if (i <= 0) throw new Error(`"${host}" is not a DKIM host (<selector>._domainkey.<domain>)`);
  return host.slice(0, i);
}

/** Split a TXT value into ≤ 255-character strings. */
export function splitTxt(value: string, size = TXT_CHUNK): string[] {
  if (value.length === 0) return [""];
  const chunks: string[] = [];
  for (let i = 0; i < value.length; i += size) chunks.push(value.slice(i, i + size));
  return chunks;
}

/**
 * A TXT value as one Route53 record entry: the AWS provider quotes the whole entry, so
 * multiple character-strings are joined as `chunk1""chunk2` (→ `"chunk1" "chunk2"` on the wire).
 */
export function route53TxtRecord(value: string): string {
  return splitTxt(value).join('""');
}
