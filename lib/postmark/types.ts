/**
 * Postmark Account API shapes, with Postmark's own PascalCase field names so a JSON answer can be
 * typed without any renaming layer (see /work/shared/notes/postmark-api.md). The answers' shapes
 * live once, as zod schemas, in ./answers; the domain types here are derived from them.
 */
import type { z } from "zod";
import type { DomainDetailsSchema, DomainListSchema, DomainSummarySchema } from "./answers";

/** One entry of `GET /domains?count&offset` (shape: ./answers DomainSummarySchema). */
export type DomainSummary = z.output<typeof DomainSummarySchema>;

export type DkimUpdateStatus = DomainDetails["DKIMUpdateStatus"];

/** `GET /domains/{id}` and the answer of create / edit / verify / rotate (./answers DomainDetailsSchema). */
export type DomainDetails = z.output<typeof DomainDetailsSchema>;

export type DomainList = z.output<typeof DomainListSchema>;

export interface CreateDomainInput {
  Name: string;
  ReturnPathDomain?: string;
}

export interface EditDomainInput {
  ReturnPathDomain: string;
}

export type DeliveryType = "Live" | "Sandbox";

/**
 * A Postmark server. `ApiTokens` are server tokens: SECRETS. Whoever receives a ServerDetails must
 * move them to 1Password and never print, log or persist them elsewhere (DQ-R1-013).
 */
export interface ServerDetails {
  ID: number;
  Name: string;
  ApiTokens: string[];
  Color: string;
  SmtpApiActivated: boolean;
  RawEmailEnabled: boolean;
  DeliveryType: DeliveryType;
  ServerLink: string;
  InboundAddress: string;
  InboundHookUrl: string;
  BounceHookUrl: string;
  OpenHookUrl: string;
  DeliveryHookUrl: string;
  ClickHookUrl: string;
  PostFirstOpenOnly: boolean;
  InboundDomain: string;
  InboundHash: string;
  InboundSpamThreshold: number;
  TrackOpens: boolean;
  TrackLinks: string;
  IncludeBounceContentInHook: boolean;
  EnableSmtpApiErrorHooks: boolean;
}

export interface ServerList {
  TotalCount: number;
  Servers: ServerDetails[];
}

export interface CreateServerInput {
  Name: string;
  SmtpApiActivated?: boolean;
  DeliveryType?: DeliveryType;
  Color?: string;
}

export interface EditServerInput {
  Name?: string;
  Color?: string;
  SmtpApiActivated?: boolean;
}

/** Postmark's error body and the body of a successful DELETE. */
export interface PostmarkMessage {
  ErrorCode: number;
  Message: string;
}

/** Known ErrorCodes (postmark-api.md). 512 for "domain exists" is UNVERIFIED: never rely on it alone. */
export const ErrorCodes = {
  InvalidToken: 10,
  Maintenance: 100,
  RateLimited: 429,
  SenderSignatureNotFound: 501,
  SenderSignatureExists: 504,
  DkimAlreadyScheduled: 505,
  DomainNotFound: 510,
  InvalidFields: 511,
  DomainExistsUnverified: 512,
  ServerNotFound: 601,
  ServerNameExists: 603,
} as const;
