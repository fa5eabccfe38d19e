/**
 * THE shapes of Postmark's answers (zod 4), checked before any answer is used: one place, so the
 * client never reads a field Postmark did not send the way its documentation says
 * (/work/shared/notes/postmark-api.md). The TypeScript types in ./types are derived from these.
 *
 * Strict where a wrong value would be acted on (IDs, names, counts, the verification booleans);
 * lenient only where Postmark's "nothing here" may come as "" or null (the DKIM / SPF host and value
 * strings), which are normalised to "".
 */
import { z } from "zod";
import type { ServerDetails } from "./types";

const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const name = z.string().min(1);
/** "" and null both mean "none" in Postmark's DKIM / SPF fields. */
const maybeText = z
  .string()
  .nullish()
  .transform((v) => v ?? "");

export const DomainSummarySchema = z.object({
  ID: id,
  Name: name,
  SPFVerified: z.boolean(),
  DKIMVerified: z.boolean(),
  WeakDKIM: z.boolean(),
  ReturnPathDomainVerified: z.boolean(),
});

export const DomainDetailsSchema = DomainSummarySchema.extend({
  SPFHost: maybeText,
  SPFTextValue: maybeText,
  DKIMHost: maybeText,
  DKIMTextValue: maybeText,
  DKIMPendingHost: maybeText,
  DKIMPendingTextValue: maybeText,
  DKIMRevokedHost: maybeText,
  DKIMRevokedTextValue: maybeText,
  SafeToRemoveRevokedKeyFromDNS: z.boolean(),
  DKIMUpdateStatus: z.enum(["Pending", "Verified"]),
  ReturnPathDomain: maybeText,
  ReturnPathDomainCNAMEValue: maybeText,
});

const totalCount = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const DomainListSchema = z.object({ TotalCount: totalCount, Domains: z.array(DomainSummarySchema) });

/**
 * A server: checked strictly on what arda-mail acts on (ID, Name, the tokens, the SMTP switch, the
 * delivery type); the many hook and tracking fields ride along unchecked (./types names them).
 */
export const ServerDetailsSchema = z.looseObject({
  ID: id,
  Name: name,
  /** Server tokens: SECRETS (DQ-R1-013). */
  ApiTokens: z.array(z.string().min(1)),
  SmtpApiActivated: z.boolean(),
  DeliveryType: z.enum(["Live", "Sandbox"]),
}) as unknown as z.ZodType<ServerDetails>;

export const ServerListSchema = z.object({ TotalCount: totalCount, Servers: z.array(ServerDetailsSchema) });

/** Postmark's error body and the answer of a DELETE. */
export const PostmarkMessageSchema = z.object({ ErrorCode: z.number().int(), Message: z.string() });

/** One line naming what is wrong with an answer, e.g. `Domains: expected array, received null`. */
export function shapeProblem(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join(".") : "(the answer)"}: ${i.message}`)
    .join("; ");
}
