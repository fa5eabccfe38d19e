import type { Platform } from "../platform/model";
import { corporateDomain, partitionDomain, partitionPostmarkTokenRef, postmarkAccount } from "../platform/names";
import { corporateContextKey, partitionContextKey, requireMailEntry, type MailContextEntry, type RotationKey } from "../platform/mail-context";
import { returnPathDomainFor } from "../platform/placement";
import { mailEntryFromDomain, NoDkimKeyError } from "../lib/postmark/mail-entry";
import { readContextEntries, setContextEntries } from "../lib/context-store";
import { isAlreadyExists, type PostmarkClient } from "../lib/postmark/client";
import type { DomainDetails } from "../lib/postmark/types";
import { FlowError } from "./errors";
import { partitionOrFail } from "./partition";

/** What one register run works on, fully resolved from the platform model. */
export interface RegisterTarget {
  /** `Alpha002/dev` or `Corporate`. */
  readonly label: string;
  readonly contextKey: string;
  readonly domain: string;
  readonly tokenRef: string;
  readonly postmarkAccount: string;
}

/** Pre-flight for `register <infra> <partition>`: exists, active, not reserved, account and vault known. */
export function partitionTarget(platform: Platform, infra: string, name: string): RegisterTarget {
  const p = partitionOrFail(platform, infra, name);
  let account;
  try {
    account = postmarkAccount(platform, p.postmarkAccount);
  } catch (e) {
    throw new FlowError(`partition ${infra}/${name}: ${(e as Error).message}`, `add the account to postmarkAccounts in platform/${platform.name}.platform.json`);
  }
  if (!p.vault) throw new FlowError(`partition ${infra}/${name} has no 1Password vault`, `set partitions.${name}.vault in platform/${platform.name}.platform.json`);
  return { label: `${infra}/${name}`, contextKey: partitionContextKey(p), domain: partitionDomain(platform, p), tokenRef: partitionPostmarkTokenRef(p), postmarkAccount: account.name };
}

export function corporateTarget(platform: Platform): RegisterTarget {
  const account = postmarkAccount(platform, platform.corporate.postmarkAccount);
  return { label: "Corporate", contextKey: corporateContextKey(platform), domain: corporateDomain(platform), tokenRef: account.tokenRef, postmarkAccount: account.name };
}

export type RegisterAction = "created" | "adopted" | "found";

export interface RegisterResult {
  readonly target: string;
  readonly domain: string;
  readonly contextKey: string;
  readonly contextFile: string;
  /** How the Postmark domain was obtained (or would be, with --dry-run). */
  readonly postmark: RegisterAction | "would-create";
  /** What happened to the context entry. */
  readonly context: "written" | "unchanged" | "differs-not-written" | "would-write" | "dry-run-unknown";
  readonly dryRun: boolean;
  readonly entry?: MailContextEntry;
  /** Which Postmark DKIM key the entry carries. */
  readonly dkimKey?: "current" | "pending";
  /** Fields that differ from the committed context (reported; written only with --update). */
  readonly differences?: string[];
}

export interface RegisterOptions {
  readonly target: RegisterTarget;
  readonly client: PostmarkClient;
  readonly contextFile: string;
  readonly dryRun: boolean;
  readonly update: boolean;
  readonly progress: (line: string) => void;
}

/** The context entry for a Postmark domain (lib/postmark/mail-entry), as a CLI error when Postmark has no key yet. */
export function entryFromDomain(d: DomainDetails): { entry: MailContextEntry; key: "current" | "pending" } {
  try {
    return mailEntryFromDomain(d);
  } catch (e) {
    if (e instanceof NoDkimKeyError) throw new FlowError(e.message, "wait a minute and re-run; if it persists, open the domain in Postmark and check its DKIM settings");
    throw e;
  }
}

/**
 * Find-or-create the Postmark sending domain, then write its public values to the context —
 * atomically, idempotently. Order matters: Postmark first, context last, so a crash in between
 * leaves a domain the next run finds (list-then-create) and an untouched context file.
 */
export async function registerDomain(o: RegisterOptions): Promise<RegisterResult> {
  const { target, client } = o;
  const expectedReturnPath = returnPathDomainFor(target.domain);
  const base = { target: target.label, domain: target.domain, contextKey: target.contextKey, contextFile: o.contextFile, dryRun: o.dryRun };

  // Read (and shape-check) the context before Postmark is touched: a context that cannot be read
  // could not record what a create returns.
  const context = readContextEntries(o.contextFile);
  o.progress(`${target.label}: looking for ${target.domain} in Postmark (${target.postmarkAccount})…`);
  let domain = await client.findDomainByName(target.domain);
  let action: RegisterAction = "found";
  if (!domain) {
    if (o.dryRun) {
      o.progress(`${target.label}: would create ${target.domain} with Return-Path ${expectedReturnPath}, then write ${target.contextKey}`);
      return { ...base, postmark: "would-create", context: "dry-run-unknown" };
    }
    try {
      domain = await client.createDomain({ Name: target.domain, ReturnPathDomain: expectedReturnPath });
      action = "created";
      o.progress(`${target.label}: created ${target.domain} (ID ${domain.ID})`);
    } catch (e) {
      // Created by a concurrent or earlier run between our list and our POST: adopt it.
      if (!isAlreadyExists(e)) throw e;
      domain = await client.getDomain(e.existingId);
      action = "adopted";
    }
  } else {
    o.progress(`${target.label}: ${target.domain} already exists (ID ${domain.ID}) — using it, not creating a second one`);
  }
  if (domain.ReturnPathDomain !== expectedReturnPath) {
    // A domain left by an earlier failed run may lack the Return-Path: the placement function decides it.
    if (o.dryRun) o.progress(`${target.label}: would set Return-Path ${expectedReturnPath} (Postmark has "${domain.ReturnPathDomain || "none"}")`);
    else {
      domain = await client.editDomain(domain.ID, { ReturnPathDomain: expectedReturnPath });
      o.progress(`${target.label}: set Return-Path ${expectedReturnPath}`);
    }
  }

  const { entry, key } = entryFromDomain(o.dryRun ? { ...domain, ReturnPathDomain: expectedReturnPath } : domain);
  // The entry must be what synth accepts; check before anything is written.
  requireMailEntry({ [target.contextKey]: entry }, target.contextKey, target.domain, o.contextFile);
  const existing = context[target.contextKey] as Partial<MailContextEntry> | undefined;
  const differences = existing ? diffEntries(existing, entry) : [];
  const result = { ...base, postmark: action, entry, dkimKey: key };
  if (existing && differences.length === 0) {
    o.progress(`${target.label}: ${target.contextKey} is up to date — nothing changed`);
    return { ...result, context: "unchanged" };
  }
  if (existing && !o.update) {
    o.progress(`${target.label}: Postmark differs from the committed ${target.contextKey}:\n${differences.map((d) => `  - ${d}`).join("\n")}`);
    return { ...result, context: "differs-not-written", differences };
  }
  if (o.dryRun) {
    o.progress(`${target.label}: would write ${target.contextKey} to ${o.contextFile}`);
    return { ...result, context: "would-write", ...(differences.length ? { differences } : {}) };
  }
  try {
    await setContextEntries(o.contextFile, { [target.contextKey]: entry });
  } catch (e) {
    throw new FlowError(
      `${target.label}: Postmark domain ${target.domain} (ID ${entry.domainId}) is ready, but ${target.contextKey} could not be written: ${(e as Error).message}`,
      `make ${o.contextFile} (and its directory) writable, then re-run the same command — it finds the existing domain and only writes the context`,
    );
  }
  o.progress(`${target.label}: wrote ${target.contextKey} to ${o.contextFile} (DKIM ${key} key ${entry.dkimSelector})`);
  return { ...result, context: "written", ...(differences.length ? { differences } : {}) };
}

function diffEntries(old: Partial<MailContextEntry>, next: MailContextEntry): string[] {
  const out: string[] = [];
  const keys = new Set([...Object.keys(old), ...Object.keys(next)] as Array<keyof MailContextEntry>);
  for (const k of keys) {
    if (k === "rotationKeys") continue;
    if (old[k] !== next[k]) {
      const show = (v: unknown): string => (k === "dkimPublicKey" && typeof v === "string" ? `${v.slice(0, 24)}…` : JSON.stringify(v));
      out.push(`${k}: committed ${show(old[k])}, Postmark ${show(next[k])}`);
    }
  }
  // A rotation shows as keys to publish beside the signing key, or keys that may now go.
  const show = (ks: readonly RotationKey[] | undefined): string => (ks?.length ? ks.map((x) => `${x.role} ${x.dkimSelector}`).join(", ") : "none");
  if (JSON.stringify(old.rotationKeys ?? []) !== JSON.stringify(next.rotationKeys ?? [])) out.push(`rotationKeys: committed ${show(old.rotationKeys)}, Postmark ${show(next.rotationKeys)}`);
  return out;
}
