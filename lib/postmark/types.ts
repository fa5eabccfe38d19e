/**
 * Postmark Account API shapes, with Postmark's own PascalCase field names so a JSON answer can be
 * typed without any renaming layer (see /work/shared/notes/postmark-api.md).
 */

/** One entry of `GET /domains?count&offset`. */
export interface DomainSummary {
  ID: number;
  Name: string;
  SPFVerified: boolean;
  DKIMVerified: boolean;
  WeakDKIM: boolean;
  ReturnPathDomainVerified: boolean;
}

export type DkimUpdateStatus = "Pending" | "Verified";

/** `GET /domains/{id}` and the answer of create / edit / verify / rotate. */
export interface DomainDetails extends DomainSummary {
  SPFHost: string;
  SPFTextValue: string;
  DKIMHost: string;
  DKIMTextValue: string;
  DKIMPendingHost: string;
  DKIMPendingTextValue: string;
  DKIMRevokedHost: string;
  DKIMRevokedTextValue: string;
  SafeToRemoveRevokedKeyFromDNS: boolean;
  DKIMUpdateStatus: DkimUpdateStatus;
  ReturnPathDomain: string;
  ReturnPathDomainCNAMEValue: string;
}

export interface DomainList {
  TotalCount: number;
  Domains: DomainSummary[];
}

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

