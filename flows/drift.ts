/**
 * `arda-mail drift`: the seed's corporate-drift and runtime-platform-drift in one check. For every
 * asset of an instance group (Corporate; each active partition) the four sources must agree:
 * Postmark's domain state ↔ what DNS serves ↔ what the placement function says ↔ the committed
 * context. Postmark is the reference: DNS is compared with the placement of Postmark's values, and
 * the context with Postmark — so one injected change shows up as exactly one drift item.
 * Plus the external resources every deploy needs (the 1Password items) must exist.
 *
 * CI mode (`ci: true`, the scheduled workflows): CI's 1Password service account reads only
 * `Arda-SystemsOAM` (DQ-R1-007). Drift then reads Postmark with CI's own account tokens kept there
 * (`ciPostmarkTokenRef`, one per Postmark account) instead of the partitions' tokens in their own
 * vaults, and leaves the existence of deploy-time items to deploy's pre-flight (the report says so).
 */
import type { MailContextEntry } from "../platform/mail-context";
import { corporateContextKey, partitionContextKey, placementOfEntry } from "../platform/mail-context";
import type { Infrastructure, Platform } from "../platform/model";
import {
  activePartitions,
  corporateDomain,
  corporateServerTokenRef,
  infrastructure,
  partitionDomain,
  partitionKeyRegistryRef,
  partitionPostmarkTokenRef,
  partitionSecretNames,
  postmarkAccount,
} from "../platform/names";
import { secretValueDrift, type ExpectedSecret, type SecretValueReader } from "../lib/aws/secrets";
import { mailEntryFromDomain } from "../lib/postmark/mail-entry";
import type { DomainDetails } from "../lib/postmark/types";
import type { SecretStore } from "../lib/secrets/store";
import type { DnsReader } from "../lib/dns/reader";
import { verifyDomain } from "./verify";

export type InstanceGroup = "corporate" | "runtime-platform";
export const INSTANCE_GROUPS: readonly InstanceGroup[] = ["corporate", "runtime-platform"];

export interface DriftItem {
  /** `context`, `placement`, `dns:<check>`, `postmark-rotation`, `postmark-verification`, `secret`, `secrets-manager`. */
  readonly kind: string;
  readonly subject: string;
  readonly expected: string;
  readonly seen: string;
}

export interface AssetDrift {
  /** `corporate` or `partition:Alpha002/dev` — one GitHub issue per drifted asset. */
  readonly asset: string;
  readonly instanceGroup: InstanceGroup;
  readonly sendingDomain: string;
  readonly drifted: boolean;
  readonly items: DriftItem[];
}

export interface DriftReport {
  readonly platform: string;
  /** False in CI mode: the deploy-time 1Password items were not checked (deploy's pre-flight does). */
  readonly secretsChecked: boolean;
  readonly instanceGroups: InstanceGroup[];
  readonly resolver: string;
  readonly drifted: boolean;
  readonly assets: AssetDrift[];
}

/** The one vault CI's 1Password token may read (DQ-R1-007). */
export const CI_VAULT = "Arda-SystemsOAM";

/** CI's own Postmark account token for drift, per Postmark account (e.g. `op://Arda-SystemsOAM/Drift-PostmarkProd/credential`). */
export function ciPostmarkTokenRef(postmarkAccountName: string): string {
  return `op://${CI_VAULT}/Drift-${postmarkAccountName}/credential`;
}

export interface DriftDeps {
  readonly platform: Platform;
  readonly context: Record<string, unknown>;
  readonly secrets: SecretStore;
  readonly dns: DnsReader;
  /** Postmark getDomain with the given account token. */
  readonly getDomain: (token: string, id: number) => Promise<DomainDetails>;
  readonly remember?: (secret: string) => void;
  /**
   * Secrets Manager's current values per account (a real platform, or the sandbox's local AWS):
   * each partition secret must hold 1Password's value — compared in memory, never printed.
   */
  readonly secretsManager?: (infra: Infrastructure) => SecretValueReader;
  /** CI mode: read only CI_VAULT (see the header). */
  readonly ci?: boolean;
}

interface AssetSpec {
  readonly asset: string;
  readonly group: InstanceGroup;
  readonly domain: string;
  readonly contextKey: string;
  readonly tokenRef: string;
  /** The Postmark account the asset's domain lives in. */
  readonly postmarkAccount: string;
  /** 1Password items a deploy of this asset needs. */
  readonly requiredSecrets: string[];
  /** The partition's Secrets Manager secrets and the 1Password references they are written from. */
  readonly storedSecrets?: { readonly infrastructure: string; readonly secrets: ReadonlyArray<{ readonly secretName: string; readonly ref: string }> };
}

function assetsOf(platform: Platform, groups: readonly InstanceGroup[]): AssetSpec[] {
  const out: AssetSpec[] = [];
  const accountRefs = platform.postmarkAccounts.map((a) => a.tokenRef);
  if (groups.includes("corporate")) {
    out.push({
      asset: "corporate",
      group: "corporate",
      domain: corporateDomain(platform),
      contextKey: corporateContextKey(platform),
      tokenRef: postmarkAccount(platform, platform.corporate.postmarkAccount).tokenRef,
      postmarkAccount: platform.corporate.postmarkAccount,
      requiredSecrets: [...accountRefs, ...platform.corporate.assets.map((a) => corporateServerTokenRef(platform, a))],
    });
  }
  if (groups.includes("runtime-platform")) {
    for (const p of activePartitions(platform)) {
      out.push({
        asset: `partition:${p.infrastructure}/${p.name}`,
        group: "runtime-platform",
        domain: partitionDomain(platform, p),
        contextKey: partitionContextKey(p),
        tokenRef: partitionPostmarkTokenRef(p),
        postmarkAccount: p.postmarkAccount,
        requiredSecrets: [...accountRefs, partitionPostmarkTokenRef(p), partitionKeyRegistryRef(p)],
        storedSecrets: {
          infrastructure: p.infrastructure,
          secrets: [
            { secretName: partitionSecretNames(p).postmarkAccountToken, ref: partitionPostmarkTokenRef(p) },
            { secretName: partitionSecretNames(p).encryptionKey, ref: partitionKeyRegistryRef(p) },
          ],
        },
      });
    }
  }
  return out;
}

type PublishedKeys = Map<string, { role: string; value: string }>;

/** Every DKIM key an entry publishes, by selector: the signing key and any rotation keys. */
function publishedKeys(e: Partial<MailContextEntry>): PublishedKeys {
  const m: PublishedKeys = new Map();
  if (e.dkimSelector) m.set(e.dkimSelector, { role: "signing", value: String(e.dkimPublicKey) });
  for (const k of Array.isArray(e.rotationKeys) ? e.rotationKeys : []) m.set(k.dkimSelector, { role: k.role, value: k.dkimPublicKey });
  return m;
}

function describeKeys(m: PublishedKeys): string {
  return [...m].map(([sel, k]) => `${k.role} ${sel}`).join(", ") || "none";
}

function rotationAdvice(want: PublishedKeys, have: PublishedKeys): string {
  const add = [...want].filter(([sel, k]) => have.get(sel)?.value !== k.value).map(([sel, k]) => `publish ${k.role} ${sel}`);
  const drop = [...have].filter(([sel]) => !want.has(sel)).map(([sel]) => `remove ${sel}`);
  const todo = [...add, ...drop];
  return `${todo.length ? todo.join(", ") : "DNS already right, the roles changed"} — re-register with --update, deploy, verify`;
}

const short = (v: unknown): string => {
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return s && s.length > 60 ? `${s.slice(0, 40)}…(${s.length} chars)` : String(s);
};

/** Secrets Manager ↔ 1Password for one partition: `secrets-manager` items name the secret, never a value. */
async function secretsManagerDrift(d: DriftDeps, stored: NonNullable<AssetSpec["storedSecrets"]>): Promise<DriftItem[]> {
  const reader = d.secretsManager!(infrastructure(d.platform, stored.infrastructure));
  const expected: ExpectedSecret[] = [];
  for (const s of stored.secrets) {
    try {
      const value = await d.secrets.read(s.ref);
      d.remember?.(value);
      expected.push({ ...s, value });
    } catch {
      // a missing 1Password item is already its own `secret` item
    }
  }
  try {
    return (await secretValueDrift(expected, reader)).map((x) => ({
      kind: "secrets-manager",
      subject: x.secretName,
      expected: `the value of ${x.ref} (${reader.description})`,
      seen: x.seen === "missing" ? "no such secret or no current value" : "a different value (not shown) — the next deploy writes 1Password's",
    }));
  } catch (e) {
    return [{ kind: "secrets-manager", subject: stored.secrets.map((s) => s.secretName).join(", "), expected: "readable", seen: (e as Error).message }];
  }
}

async function assetDrift(d: DriftDeps, a: AssetSpec): Promise<AssetDrift> {
  const items: DriftItem[] = [];
  for (const ref of d.ci ? [] : [...new Set(a.requiredSecrets)]) {
    let exists = false;
    try {
      exists = await d.secrets.exists(ref);
    } catch {
      exists = false;
    }
    if (!exists) items.push({ kind: "secret", subject: ref, expected: `1Password item exists (${d.secrets.description})`, seen: "missing" });
  }
  if (d.secretsManager && a.storedSecrets) items.push(...(await secretsManagerDrift(d, a.storedSecrets)));
  const ctx = d.context[a.contextKey] as Partial<MailContextEntry> | undefined;
  if (!ctx || typeof ctx.domainId !== "number") {
    items.push({ kind: "context", subject: a.contextKey, expected: "a committed register entry", seen: "missing" });
    return { asset: a.asset, instanceGroup: a.group, sendingDomain: a.domain, drifted: true, items };
  }
  let token: string;
  const tokenRef = d.ci ? ciPostmarkTokenRef(a.postmarkAccount) : a.tokenRef;
  try {
    token = await d.secrets.read(tokenRef);
    d.remember?.(token);
  } catch {
    items.push({ kind: "postmark", subject: a.domain, expected: "Postmark domain readable", seen: `account token ${tokenRef} does not resolve` });
    return { asset: a.asset, instanceGroup: a.group, sendingDomain: a.domain, drifted: true, items };
  }
  let dom: DomainDetails;
  try {
    dom = await d.getDomain(token, ctx.domainId);
  } catch (e) {
    items.push({ kind: "postmark", subject: `Postmark domain ${ctx.domainId}`, expected: `domain ${a.domain} exists`, seen: (e as Error).message });
    return { asset: a.asset, instanceGroup: a.group, sendingDomain: a.domain, drifted: true, items };
  }
  let pm: MailContextEntry;
  try {
    pm = mailEntryFromDomain(dom).entry;
  } catch (e) {
    items.push({ kind: "postmark", subject: `Postmark domain ${dom.ID}`, expected: "a DKIM key", seen: (e as Error).message });
    return { asset: a.asset, instanceGroup: a.group, sendingDomain: a.domain, drifted: true, items };
  }
  const placement = placementOfEntry(a.domain, pm, d.platform.dmarcReportMailbox);

  // Postmark ↔ placement (the seam the seed's DQ-R1-009 bug broke).
  if (dom.Name !== a.domain) items.push({ kind: "placement", subject: `Postmark domain ${dom.ID} name`, expected: a.domain, seen: dom.Name });
  if (pm.dkimHost !== placement.dkim.name) items.push({ kind: "placement", subject: "DKIM host", expected: placement.dkim.name, seen: pm.dkimHost });
  if (pm.returnPathDomain !== placement.returnPath.name) items.push({ kind: "placement", subject: "Return-Path domain", expected: placement.returnPath.name, seen: pm.returnPathDomain || "none" });

  // Context ↔ Postmark. A rotation (started, switched, or old key now safe to remove) is one item.
  const want = publishedKeys(pm);
  const have = publishedKeys(ctx);
  const rotating = (pm.rotationKeys?.length ?? 0) > 0 || (ctx.rotationKeys?.length ?? 0) > 0;
  if (rotating && describeKeys(want) !== describeKeys(have)) {
    items.push({ kind: "postmark-rotation", subject: `${a.contextKey} DKIM keys`, expected: `${describeKeys(want)} (Postmark)`, seen: `${describeKeys(have)}: ${rotationAdvice(want, have)}` });
  }
  const fields = rotating ? (["returnPathDomain", "returnPathTarget"] as const) : (["dkimHost", "dkimSelector", "dkimPublicKey", "returnPathDomain", "returnPathTarget"] as const);
  for (const k of fields) {
    if (ctx[k] !== pm[k]) items.push({ kind: "context", subject: `${a.contextKey}.${k}`, expected: `${short(pm[k])} (Postmark)`, seen: short(ctx[k]) });
  }

  // Postmark's own state: verified.
  if (!dom.DKIMVerified || !dom.ReturnPathDomainVerified) {
    items.push({
      kind: "postmark-verification",
      subject: `Postmark domain ${dom.ID}`,
      expected: "DKIM and Return-Path verified",
      seen: `DKIMVerified=${dom.DKIMVerified}, ReturnPathDomainVerified=${dom.ReturnPathDomainVerified}`,
    });
  }

  // DNS ↔ placement of Postmark's values: the signing key, and the rotation keys the context
  // already carries (a rotation not yet registered is the single item above, not also a DNS one).
  const deployed: MailContextEntry = { ...pm, rotationKeys: (pm.rotationKeys ?? []).filter((k) => have.has(k.dkimSelector)) };
  const dns = await verifyDomain({ label: a.asset, sendingDomain: a.domain, entry: deployed, dmarcReportMailbox: d.platform.dmarcReportMailbox, requiredOutputs: [] }, { dns: d.dns });
  for (const c of dns.checks.filter((x) => !x.ok)) items.push({ kind: `dns:${c.check}`, subject: c.subject, expected: c.expected, seen: c.seen });

  return { asset: a.asset, instanceGroup: a.group, sendingDomain: a.domain, drifted: items.length > 0, items };
}

export async function detectDrift(d: DriftDeps, groups: readonly InstanceGroup[] = INSTANCE_GROUPS): Promise<DriftReport> {
  const assets: AssetDrift[] = [];
  for (const a of assetsOf(d.platform, groups)) assets.push(await assetDrift(d, a));
  return { platform: d.platform.name, secretsChecked: !d.ci, instanceGroups: [...groups], resolver: d.dns.source, drifted: assets.some((a) => a.drifted), assets };
}

export function formatDrift(r: DriftReport): string {
  const lines = [`drift (${r.instanceGroups.join(", ")}) via ${r.resolver}: ${r.drifted ? "DRIFT" : "no drift"}${r.secretsChecked ? "" : " (CI mode: deploy-time 1Password items not checked)"}`];
  for (const a of r.assets) {
    lines.push(`  ${a.drifted ? "DRIFT" : "ok   "} ${a.asset} (${a.sendingDomain})`);
    for (const i of a.items) lines.push(`        ${i.kind} ${i.subject}: expected ${i.expected}, seen ${i.seen}`);
  }
  return lines.join("\n");
}
