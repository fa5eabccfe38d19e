import { z } from "zod";
import { isDomainName } from "./dns-name";
import { LONGEST_DKIM_SELECTOR, POSTMARK_DKIM_SELECTOR, POSTMARK_RETURN_PATH_TARGET } from "./placement";
import { oneOf, show, SHAPES, str, typeName } from "./schema";

/**
 * The context file's register entries as strict zod schemas, in the style of the platform file's
 * (schema.ts): the file is edited by people, so every entry is checked against its exact shape
 * before a value reaches Terraform, DNS or Postmark. Unknown fields are refused — a misspelt
 * `dkimSelectr` must not silently mean "no selector". What an entry must agree with (the
 * placement function, the model) is checked in mail-context.ts once the shape is right.
 */

/** Postmark's DKIM TXT value: `k=rsa;p=<base64>` (an RSA key of up to 4096 bits). */
export const DKIM_TXT_VALUE = /^k=rsa; ?p=[A-Za-z0-9+/]{1,1024}={0,2}$/;

/** An entry is one JSON object; anything else (a string, a list, null) is named as what it is. */
const entry = <T extends z.ZodRawShape>(shape: T) => z.strictObject(shape, { error: (i) => `must be an object (got ${typeName(i.input)})` });

/** A Postmark id (domain, server): a positive integer, as Postmark's API gives it. */
const postmarkId = (what: string) =>
  z.custom<number>((v) => typeof v === "number" && Number.isSafeInteger(v) && v > 0, {
    error: (i) => `required, ${what} (a positive integer)${i.input === undefined ? "" : `, not ${JSON.stringify(i.input)}`}`,
  });

const dkimSelector = str(POSTMARK_DKIM_SELECTOR, `a Postmark DKIM selector (YYYYMMDDhhmmss + "pm", e.g. ${LONGEST_DKIM_SELECTOR})`);
const dkimPublicKey = str(DKIM_TXT_VALUE, () => "not a DKIM TXT value (k=rsa;p=<base64>)");

/** `<selector>._domainkey.<domain>`: the only place a Postmark DKIM key is published. */
function isDkimHost(v: string): boolean {
  const i = v.indexOf("._domainkey.");
  return i > 0 && POSTMARK_DKIM_SELECTOR.test(v.slice(0, i)) && isDomainName(v.slice(i + "._domainkey.".length));
}
const dkimHost = str().refine(isDkimHost, { error: (i) => `${show(i.input)} is not a DKIM host name (<selector>._domainkey.<sending domain>)` });
const domainName = str().refine(isDomainName, { error: (i) => `${show(i.input)} is not a DNS-safe domain name` });

export const rotationKeySchema = entry({
  role: oneOf(["pending", "revoked"]),
  dkimSelector,
  dkimPublicKey,
  dkimHost,
});

/** `partitionMail:<infra>:<partition>` and `corporateMail:<infra>:<label>` (written by `register`). */
export const mailEntrySchema = entry({
  domainId: postmarkId("the Postmark domain id"),
  dkimSelector,
  dkimPublicKey,
  dkimHost,
  returnPathDomain: domainName,
  // One value is right: the CNAME target Postmark's Return-Path check looks for.
  returnPathTarget: str().refine((v) => v === POSTMARK_RETURN_PATH_TARGET, {
    error: (i) => `${show(i.input)} is not Postmark's Return-Path target (${POSTMARK_RETURN_PATH_TARGET})`,
  }),
  // Each key is checked on its own (rotationKeySchema) so every problem is named by its index.
  rotationKeys: z.array(z.unknown(), { error: "a list of {role, dkimSelector, dkimPublicKey, dkimHost} when present" }).optional(),
});

/** `corporateAsset:<asset>` (written by `corporate provision`); the token itself is never here. */
export const corporateAssetEntrySchema = entry({
  serverId: postmarkId("the Postmark server id"),
  serverName: str(SHAPES.displayName, "a Postmark server name"),
  domain: domainName,
  serverTokenRef: str(SHAPES.opRef, "an op://vault/item/field reference"),
});
