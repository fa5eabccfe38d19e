import * as path from "node:path";
import { REPO_ROOT, repoRelative } from "./load";
import type { Partition, Platform } from "./model";
import { corporateDomain, partitionDomain } from "./names";
import { show } from "./schema";
import {
  dkimHostFor,
  dkimSelectorFromHost,
  LONGEST_DKIM_SELECTOR,
  POSTMARK_DKIM_SELECTOR,
  POSTMARK_RETURN_PATH_TARGET,
  returnPathDomainFor,
  sendingDomainPlacement,
  type RotationDkimKey,
  type RotationRole,
  type SendingDomainPlacement,
} from "./placement";

/**
 * The register output: the public Postmark values of one sending domain, committed in the
 * context file (DQ-R1-014, DQ-R1-025) under `partitionMail:<infra>:<partition>` or
 * `corporateMail:<infra>:<label>`. The values are DNS-public; nothing secret belongs here.
 */
export interface MailContextEntry {
  readonly domainId: number;
  readonly dkimSelector: string;
  /** The DKIM TXT value exactly as Postmark gives it (`k=rsa;p=…`). */
  readonly dkimPublicKey: string;
  readonly dkimHost: string;
  readonly returnPathDomain: string;
  readonly returnPathTarget: string;
  /** Keys of a DKIM rotation published beside the signing key above; absent when none. */
  readonly rotationKeys?: readonly RotationKey[];
}

/**
 * A DKIM key that must stay in DNS beside the signing key while Postmark rotates: the `pending`
 * key until Postmark has seen it and starts signing with it, the `revoked` key until Postmark says
 * it is safe to remove (mail signed with it may still be in flight).
 */
export interface RotationKey {
  readonly role: RotationRole;
  readonly dkimSelector: string;
  readonly dkimPublicKey: string;
  readonly dkimHost: string;
}

export type { RotationRole };
const ROTATION_ROLES: readonly RotationRole[] = ["pending", "revoked"];

export function partitionContextKey(p: Pick<Partition, "infrastructure" | "name">): string {
  return `partitionMail:${p.infrastructure}:${p.name}`;
}

export function corporateContextKey(platform: Platform): string {
  return `corporateMail:${platform.corporate.infrastructure}:${platform.corporate.label}`;
}

/** Public values of a Corporate asset written by `arda-mail corporate provision`. */
export function corporateAssetContextKey(asset: string): string {
  return `corporateAsset:${asset}`;
}

export function contextFilePath(platform: Platform, env: NodeJS.ProcessEnv = process.env): string {
  return env.ARDA_MAIL_CONTEXT_FILE ? path.resolve(env.ARDA_MAIL_CONTEXT_FILE) : path.join(REPO_ROOT, platform.contextFile);
}

/** The `context` object of a context file; re-exported from the one reader (context-file.ts). */
export { readContext } from "./context-file";

export class MissingContextError extends Error {
  constructor(
    readonly key: string,
    readonly command: string,
    file: string,
  ) {
    super(`Missing CDKTF context entry "${key}" in ${repoRelative(file)}: run \`${command}\` to register the sending domain with Postmark and write it.`);
    this.name = "MissingContextError";
  }
}

/** The register command that fills a context key (one place, used in every error message). */
export function registerCommandFor(key: string): string {
  const [kind, infra, name] = key.split(":");
  return kind === "corporateMail" ? "arda-mail register corporate" : `arda-mail register ${infra} ${name}`;
}

/** Read and check one entry; `sendingDomain` is where the placement function says it must point. */
export function requireMailEntry(context: Record<string, unknown>, key: string, sendingDomain: string, file: string): MailContextEntry {
  const raw = context[key];
  if (raw === undefined || raw === null) throw new MissingContextError(key, registerCommandFor(key), file);
  const problems: string[] = [];
  const e = raw as Record<string, unknown>;
  const s = (k: string): string => {
    if (typeof e[k] !== "string" || (e[k] as string).length === 0) problems.push(`${key}.${k}: required, a non-empty string`);
    return String(e[k] ?? "");
  };
  if (typeof e.domainId !== "number" || !Number.isSafeInteger(e.domainId) || e.domainId <= 0) {
    problems.push(`${key}.domainId: required, the Postmark domain id (a positive integer)${e.domainId === undefined ? "" : `, not ${JSON.stringify(e.domainId)}`}`);
  }
  const rotationKeys = rotationKeysOf(e.rotationKeys, `${key}.rotationKeys`, problems);
  const entry: MailContextEntry = {
    domainId: e.domainId as number,
    dkimSelector: s("dkimSelector"),
    dkimPublicKey: s("dkimPublicKey"),
    dkimHost: s("dkimHost"),
    returnPathDomain: s("returnPathDomain"),
    returnPathTarget: s("returnPathTarget"),
    ...(rotationKeys.length ? { rotationKeys } : {}),
  };
  checkDkimKey(entry, key, sendingDomain, problems);
  const selectors = [entry.dkimSelector];
  rotationKeys.forEach((k, i) => {
    checkDkimKey(k, `${key}.rotationKeys[${i}]`, sendingDomain, problems);
    if (selectors.includes(k.dkimSelector)) problems.push(`${key}.rotationKeys[${i}].dkimSelector: ${k.dkimSelector} is published twice`);
    selectors.push(k.dkimSelector);
  });
  if (entry.returnPathTarget && entry.returnPathTarget !== POSTMARK_RETURN_PATH_TARGET) {
    problems.push(`${key}.returnPathTarget: ${show(entry.returnPathTarget)} is not Postmark's Return-Path target (${POSTMARK_RETURN_PATH_TARGET})`);
  }
  if (entry.returnPathDomain && entry.returnPathDomain !== returnPathDomainFor(sendingDomain)) {
    problems.push(`${key}.returnPathDomain: ${show(entry.returnPathDomain)} should be ${returnPathDomainFor(sendingDomain)}`);
  }
  if (problems.length) throw new Error(`Invalid CDKTF context entry "${key}" in ${repoRelative(file)} (re-run \`${registerCommandFor(key)}\`):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  return entry;
}

/** Postmark's DKIM TXT value: `k=rsa;p=<base64>` (an RSA key of up to 4096 bits). */
const DKIM_TXT_VALUE = /^k=rsa; ?p=[A-Za-z0-9+/]{1,1024}={0,2}$/;

type DkimFields = Pick<MailContextEntry, "dkimSelector" | "dkimPublicKey" | "dkimHost">;

function checkDkimKey(k: DkimFields, at: string, sendingDomain: string, problems: string[]): void {
  if (!k.dkimSelector) {
    // Reported as required above; the host cannot be checked against an absent selector.
  } else if (!POSTMARK_DKIM_SELECTOR.test(k.dkimSelector)) {
    problems.push(`${at}.dkimSelector: ${show(k.dkimSelector)} is not a Postmark DKIM selector (YYYYMMDDhhmmss + "pm", e.g. ${LONGEST_DKIM_SELECTOR})`);
  } else if (k.dkimHost && k.dkimHost !== dkimHostFor(sendingDomain, k.dkimSelector)) {
    problems.push(`${at}.dkimHost: ${show(k.dkimHost)} is not where the placement function puts this domain's DKIM (${dkimHostFor(sendingDomain, k.dkimSelector)})`);
  } else if (k.dkimHost && dkimSelectorFromHost(k.dkimHost) !== k.dkimSelector) {
    problems.push(`${at}.dkimSelector: does not match dkimHost`);
  }
  if (k.dkimPublicKey && !DKIM_TXT_VALUE.test(k.dkimPublicKey)) {
    problems.push(`${at}.dkimPublicKey: not a DKIM TXT value (k=rsa;p=<base64>)`);
  }
}

function rotationKeysOf(raw: unknown, at: string, problems: string[]): RotationKey[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    problems.push(`${at}: a list of {role, dkimSelector, dkimPublicKey, dkimHost} when present`);
    return [];
  }
  return raw.map((r: Record<string, unknown>, i) => {
    const s = (k: string): string => {
      if (typeof r?.[k] !== "string" || (r[k] as string).length === 0) problems.push(`${at}[${i}].${k}: required, a non-empty string`);
      return String(r?.[k] ?? "");
    };
    if (!ROTATION_ROLES.includes(r?.role as RotationRole)) problems.push(`${at}[${i}].role: one of ${ROTATION_ROLES.join(", ")}`);
    return { role: r?.role as RotationRole, dkimSelector: s("dkimSelector"), dkimPublicKey: s("dkimPublicKey"), dkimHost: s("dkimHost") };
  });
}

/** An entry's rotation keys in the placement function's terms. */
export function rotationDkimKeys(e: MailContextEntry): RotationDkimKey[] {
  return (e.rotationKeys ?? []).map((k) => ({ role: k.role, selector: k.dkimSelector, publicKey: k.dkimPublicKey }));
}

/** Where the records of a registered sending domain go: its signing key, any rotation keys, Return-Path. */
export function placementOfEntry(sendingDomain: string, e: MailContextEntry, dmarcReportMailbox: string): SendingDomainPlacement {
  return sendingDomainPlacement({
    sendingDomain,
    dkim: { selector: e.dkimSelector, publicKey: e.dkimPublicKey },
    rotationKeys: rotationDkimKeys(e),
    dmarcReportMailbox,
    returnPathTarget: e.returnPathTarget,
  });
}

export function partitionMailEntry(platform: Platform, p: Partition, context: Record<string, unknown>, file: string): MailContextEntry {
  return requireMailEntry(context, partitionContextKey(p), partitionDomain(platform, p), file);
}

export function corporateMailEntry(platform: Platform, context: Record<string, unknown>, file: string): MailContextEntry {
  return requireMailEntry(context, corporateContextKey(platform), corporateDomain(platform), file);
}
