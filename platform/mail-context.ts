import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "./load";
import type { Partition, Platform } from "./model";
import { corporateDomain, partitionDomain } from "./names";
import { dkimSelectorFromHost, returnPathDomainFor } from "./placement";

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
}

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

/** The `context` object of a cdktf.json-shaped file (`{}` when the file or the key is absent). */
export function readContext(file: string): Record<string, unknown> {
  if (!fs.existsSync(file)) return {};
  const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as { context?: Record<string, unknown> };
  return parsed.context ?? {};
}

export class MissingContextError extends Error {
  constructor(readonly key: string, readonly command: string, file: string) {
    super(`Missing CDKTF context entry "${key}" in ${path.relative(REPO_ROOT, file) || file}: run \`${command}\` to register the sending domain with Postmark and write it.`);
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
  if (typeof e.domainId !== "number" || !Number.isInteger(e.domainId)) problems.push(`${key}.domainId: required, the Postmark domain id (an integer)`);
  const entry: MailContextEntry = {
    domainId: e.domainId as number,
    dkimSelector: s("dkimSelector"),
    dkimPublicKey: s("dkimPublicKey"),
    dkimHost: s("dkimHost"),
    returnPathDomain: s("returnPathDomain"),
    returnPathTarget: s("returnPathTarget"),
  };
  if (entry.dkimHost && entry.dkimHost !== `${entry.dkimSelector}._domainkey.${sendingDomain}`) {
    problems.push(`${key}.dkimHost: "${entry.dkimHost}" is not where the placement function puts this domain's DKIM (${entry.dkimSelector}._domainkey.${sendingDomain})`);
  } else if (entry.dkimHost && dkimSelectorFromHost(entry.dkimHost) !== entry.dkimSelector) {
    problems.push(`${key}.dkimSelector: does not match dkimHost`);
  }
  if (entry.returnPathDomain && entry.returnPathDomain !== returnPathDomainFor(sendingDomain)) {
    problems.push(`${key}.returnPathDomain: "${entry.returnPathDomain}" should be ${returnPathDomainFor(sendingDomain)}`);
  }
  if (entry.dkimPublicKey && !/^k=rsa;\s*p=[A-Za-z0-9+/=]+$/.test(entry.dkimPublicKey)) {
    problems.push(`${key}.dkimPublicKey: not a DKIM TXT value (k=rsa;p=<base64>)`);
  }
  if (problems.length) throw new Error(`Invalid CDKTF context entry "${key}" in ${path.relative(REPO_ROOT, file) || file} (re-run \`${registerCommandFor(key)}\`):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  return entry;
}

export function partitionMailEntry(platform: Platform, p: Partition, context: Record<string, unknown>, file: string): MailContextEntry {
  return requireMailEntry(context, partitionContextKey(p), partitionDomain(platform, p), file);
}

export function corporateMailEntry(platform: Platform, context: Record<string, unknown>, file: string): MailContextEntry {
  return requireMailEntry(context, corporateContextKey(platform), corporateDomain(platform), file);
}
