/**
 * The one error type of the Postmark client. It carries only what a caller may show: HTTP status,
 * Postmark's ErrorCode and Message, a coarse `kind`, and advice. It deliberately keeps NO reference
 * to the underlying HTTP library's error, whose options hold the request headers (the account
 * token) and would leak them through `util.inspect` or a logger.
 */
import { ErrorCodes } from "./types";

export type PostmarkErrorKind =
  | "unauthorized"
  | "not_found"
  | "already_exists"
  | "invalid"
  | "rate_limited"
  | "server"
  | "network"
  | "timeout"
  /** A 2xx answer that is not the documented shape (not JSON, a wrong field, another object). */
  | "unexpected_answer"
  /** A 3xx: never followed (the token would travel to wherever it points). */
  | "redirect"
  /** The account token cannot be sent at all (a newline or other character illegal in a header). */
  | "bad_token";

export interface PostmarkApiErrorInit {
  kind: PostmarkErrorKind;
  /** HTTP status, 0 when no answer came (network, timeout). */
  status: number;
  /** Postmark's ErrorCode, undefined when the answer had none. */
  errorCode?: number;
  /** The whole human message (already scrubbed of secrets). */
  message: string;
  /** Postmark's own `Message`, if any (already scrubbed). */
  postmarkMessage?: string;
  method: string;
  /** Request path without query string secrets (there are none: the token travels in a header). */
  path: string;
  /** For kind 'already_exists': the ID of the existing object, so callers can adopt it. */
  existingId?: number;
  /** Low-level network error code (ECONNRESET, ETIMEDOUT …) when status is 0. */
  networkCode?: string;
  attempts?: number;
}

export class PostmarkApiError extends Error {
  readonly kind: PostmarkErrorKind;
  readonly status: number;
  readonly errorCode: number | undefined;
  readonly postmarkMessage: string | undefined;
  readonly method: string;
  readonly path: string;
  readonly existingId: number | undefined;
  readonly networkCode: string | undefined;
  readonly attempts: number;

  constructor(init: PostmarkApiErrorInit) {
    super(init.message);
    this.name = "PostmarkApiError";
    this.kind = init.kind;
    this.status = init.status;
    this.errorCode = init.errorCode;
    this.postmarkMessage = init.postmarkMessage;
    this.method = init.method;
    this.path = init.path;
    this.existingId = init.existingId;
    this.networkCode = init.networkCode;
    this.attempts = init.attempts ?? 1;
  }
}

/** Postmark says "no such object": 404, or 422 with ErrorCode 510 (domain) / 601 (server). */
export function isNotFound(e: unknown): boolean {
  if (!(e instanceof PostmarkApiError)) return false;
  if (e.status === 404) return true;
  return e.status === 422 && (e.errorCode === ErrorCodes.DomainNotFound || e.errorCode === ErrorCodes.ServerNotFound);
}

export function isAlreadyExists(e: unknown): e is PostmarkApiError & { existingId: number } {
  return e instanceof PostmarkApiError && e.kind === "already_exists" && e.existingId !== undefined;
}

/** Classify an HTTP answer by status first and ErrorCode second (some codes are unverified). */
export function kindForStatus(status: number, errorCode: number | undefined): PostmarkErrorKind {
  if (status >= 300 && status < 400) return "redirect";
  if (status === 401 || status === 403) return "unauthorized";
  if (status === 404) return "not_found";
  if (status === 429) return "rate_limited";
  if (status >= 500) return "server";
  if (status === 422) {
    if (errorCode === ErrorCodes.DomainNotFound || errorCode === ErrorCodes.ServerNotFound) return "not_found";
    if (errorCode === ErrorCodes.ServerNameExists || errorCode === ErrorCodes.SenderSignatureExists) return "already_exists";
    return "invalid";
  }
  return "invalid";
}

/** What the operator should do about it: every message ends with advice. */
export function adviceFor(kind: PostmarkErrorKind, errorCode: number | undefined): string {
  switch (kind) {
    case "unauthorized":
      return "check the token reference (the 1Password item holding the Postmark ACCOUNT token, not a server token) and that the token is still active in Postmark";
    case "not_found":
      return "the object no longer exists in Postmark (deleted out of band?); refresh state or re-create it";
    case "already_exists":
      return "an object with this name already exists in the account; adopt it (import) instead of creating it";
    case "rate_limited":
      return "Postmark is rate limiting this account; wait a minute and run again";
    case "server":
      return errorCode === ErrorCodes.Maintenance ? "Postmark is in maintenance; run again later" : "Postmark had a server error; run again later and check https://status.postmarkapp.com";
    case "network":
      return "no answer from Postmark (connection failed or dropped); check network access to the API URL and run again";
    case "timeout":
      return "Postmark did not answer in time; run again, or raise the client timeout";
    case "invalid":
      return "Postmark rejected the request's fields; fix the input named in Postmark's message";
    case "unexpected_answer":
      return "this is not Postmark's documented answer, so nothing further was sent; check that --postmark-url (POSTMARK_API_URL) is Postmark's API (https://api.postmarkapp.com) and not a proxy, portal or captive page, then re-run (a create that may have landed is found by the next run's listing, not duplicated)";
    case "redirect":
      return "the API URL redirects elsewhere and the client never follows a redirect (it would carry the account token there); set --postmark-url (POSTMARK_API_URL) to the API's own https URL, https://api.postmarkapp.com";
    case "bad_token":
      return "store the token again without it (a copy-paste or `echo` often adds a trailing newline), then re-run";
  }
}
