import * as path from "node:path";
import type { z } from "zod";
import { corporateAssetEntrySchema, mailEntrySchema, rotationKeySchema } from "./context-schema";
import { REPO_ROOT, repoRelative } from "./load";
import type { Partition, Platform } from "./model";
import { corporateDomain, partitionDomain } from "./names";
import { issueMessages, show } from "./schema";
import { dkimHostFor, returnPathDomainFor, sendingDomainPlacement, type RotationDkimKey, type RotationRole, type SendingDomainPlacement } from "./placement";

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

export function partitionContextKey(p: Pick<Partition, "infrastructure" | "name">): string {
  return `partitionMail:${p.infrastructure}:${p.name}`;
}

export function corporateContextKey(platform: Platform): string {
  return `corporateMail:${platform.corporate.infrastructure}:${platform.corporate.label}`;
}

/** Public values of a provisioned Corporate asset (context key `corporateAsset:<asset>`). */
export interface CorporateAssetEntry {
  readonly serverId: number;
  readonly serverName: string;
  readonly domain: string;
  /** Where the server token lives — a reference, not the token. */
  readonly serverTokenRef: string;
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
  if (kind === "corporateAsset") return `arda-mail corporate provision ${infra}`;
  return kind === "corporateMail" ? "arda-mail register corporate" : `arda-mail register ${infra} ${name}`;
}

/** How to repair a refused entry: a register entry is rewritten by its command; an asset entry is fixed or re-read. */
function repairHintFor(key: string): string {
  if (!key.startsWith("corporateAsset:")) return `re-run \`${registerCommandFor(key)}\``;
  return `fix it, or delete it and run \`${registerCommandFor(key)} --resume\` to write it again from Postmark`;
}

/** A context entry that is present but not of its exact shape; `problems` each start with `<key>.<field>`. */
export class InvalidContextEntryError extends Error {
  constructor(
    readonly key: string,
    readonly problems: readonly string[],
    file: string,
  ) {
    super(`Invalid CDKTF context entry "${key}" in ${repoRelative(file)} (${repairHintFor(key)}):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "InvalidContextEntryError";
  }
}

interface ShapeCheck<T> {
  /** The value when its shape is right. */
  readonly value?: T;
  readonly problems: string[];
  /** Fields whose value is wrong: not cross-checked as well, so each gets one problem, its first. */
  readonly badFields: ReadonlySet<string>;
  /** The value is not an object at all: nothing inside it can be read. */
  readonly notAnObject: boolean;
}

/** Check `raw` against `schema`; messages read `<at>.<field>: <what is wrong>` like the platform file's. */
function checkShape<T>(schema: z.ZodType<T>, raw: unknown, at: string): ShapeCheck<T> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { value: parsed.data, problems: [], badFields: new Set(), notAnObject: false };
  const issues = parsed.error.issues;
  const problems = issueMessages(issues, raw, schema).map((m) => (m.startsWith("(root): ") ? `${at}: ${m.slice("(root): ".length)}` : `${at}.${m}`));
  const badFields = new Set(issues.filter((i) => i.path.length > 0).map((i) => String(i.path[0])));
  return { problems, badFields, notAnObject: issues.some((i) => i.path.length === 0 && i.code !== "unrecognized_keys") };
}

/** Read and check one entry; `sendingDomain` is where the placement function says it must point. */
export function requireMailEntry(context: Record<string, unknown>, key: string, sendingDomain: string, file: string): MailContextEntry {
  const raw = context[key];
  if (raw === undefined || raw === null) throw new MissingContextError(key, registerCommandFor(key), file);
  const shape = checkShape(mailEntrySchema, raw, key);
  if (shape.notAnObject) throw new InvalidContextEntryError(key, shape.problems, file);
  const problems = [...shape.problems];
  const ok = (field: string): boolean => !shape.badFields.has(field);
  // The fields that passed their shape check have it; only those are cross-checked below.
  const e = raw as Pick<MailContextEntry, "dkimSelector" | "dkimHost" | "returnPathDomain">;
  if (ok("dkimSelector") && ok("dkimHost")) checkPlacement(e, key, sendingDomain, problems);
  if (ok("returnPathDomain") && e.returnPathDomain !== returnPathDomainFor(sendingDomain)) {
    problems.push(`${key}.returnPathDomain: ${show(e.returnPathDomain)} should be ${returnPathDomainFor(sendingDomain)}`);
  }
  const rawKeys = ok("rotationKeys") ? ((raw as { rotationKeys?: unknown[] }).rotationKeys ?? []) : [];
  const rotationKeys = checkRotationKeys(rawKeys, `${key}.rotationKeys`, ok("dkimSelector") ? [e.dkimSelector] : [], sendingDomain, problems);
  if (problems.length || !shape.value) throw new InvalidContextEntryError(key, problems, file);
  const v = shape.value;
  return {
    domainId: v.domainId,
    dkimSelector: v.dkimSelector,
    dkimPublicKey: v.dkimPublicKey,
    dkimHost: v.dkimHost,
    returnPathDomain: v.returnPathDomain,
    returnPathTarget: v.returnPathTarget,
    ...(rotationKeys.length ? { rotationKeys } : {}),
  };
}

type DkimFields = Pick<MailContextEntry, "dkimSelector" | "dkimHost">;

/** A key's host must be where the placement function puts this sending domain's DKIM for its selector. */
function checkPlacement(k: DkimFields, at: string, sendingDomain: string, problems: string[]): void {
  const expected = dkimHostFor(sendingDomain, k.dkimSelector);
  if (k.dkimHost !== expected) problems.push(`${at}.dkimHost: ${show(k.dkimHost)} is not where the placement function puts this domain's DKIM (${expected})`);
}

/** Each rotation key: its shape, its placement, and a selector not published twice (`selectors` holds those seen). */
function checkRotationKeys(raw: readonly unknown[], at: string, selectors: string[], sendingDomain: string, problems: string[]): RotationKey[] {
  const keys: RotationKey[] = [];
  raw.forEach((r, i) => {
    const shape = checkShape(rotationKeySchema, r, `${at}[${i}]`);
    problems.push(...shape.problems);
    if (!shape.value) return;
    const k = shape.value;
    checkPlacement(k, `${at}[${i}]`, sendingDomain, problems);
    if (selectors.includes(k.dkimSelector)) problems.push(`${at}[${i}].dkimSelector: ${k.dkimSelector} is published twice`);
    selectors.push(k.dkimSelector);
    keys.push(k);
  });
  return keys;
}

/**
 * The committed `corporateAsset:<asset>` entry, shape-checked; undefined when absent (provision has
 * not written it yet). Every reader of an asset entry goes through here.
 */
export function corporateAssetEntry(context: Record<string, unknown>, key: string, file: string): CorporateAssetEntry | undefined {
  const raw = context[key];
  if (raw === undefined) return undefined;
  const shape = checkShape(corporateAssetEntrySchema, raw, key);
  if (!shape.value) throw new InvalidContextEntryError(key, shape.problems, file);
  return shape.value;
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
