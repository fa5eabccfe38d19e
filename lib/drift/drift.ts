/**
 * `arda-mail drift`: the seed's corporate-drift and runtime-platform-drift in one check. For every
 * asset of an instance group (Corporate; each active partition) the four sources must agree:
 * Postmark's domain state ↔ what DNS serves ↔ what the placement function says ↔ the committed
 * context. Postmark is the reference: DNS is compared with the placement of Postmark's values, and
 * the context with Postmark — so one injected change shows up as exactly one drift item.
 * Plus the external resources every deploy needs (the 1Password items) must exist.
 */
import type { MailContextEntry } from "../../platform/mail-context";
import { corporateContextKey, partitionContextKey } from "../../platform/mail-context";
import type { Platform } from "../../platform/model";
import { activePartitions, corporateDomain, partitionDomain, partitionKeyRegistryRef, partitionPostmarkTokenRef, postmarkAccount } from "../../platform/names";
import { dkimSelectorFromHost, POSTMARK_RETURN_PATH_TARGET, sendingDomainPlacement } from "../../platform/placement";
import type { DomainDetails } from "../postmark/types";
import type { SecretStore } from "../secrets/store";
import type { DnsReader } from "../verify/dns-reader";
import { verifyDomain } from "../verify/verify";

export type InstanceGroup = "corporate" | "runtime-platform";
export const INSTANCE_GROUPS: readonly InstanceGroup[] = ["corporate", "runtime-platform"];

export interface DriftItem {
  /** `context`, `placement`, `dns:<check>`, `postmark-rotation`, `postmark-verification`, `secret`. */
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
  readonly instanceGroups: InstanceGroup[];
  readonly resolver: string;
  readonly drifted: boolean;
  readonly assets: AssetDrift[];
}

export interface DriftDeps {
  readonly platform: Platform;
  readonly context: Record<string, unknown>;
  readonly secrets: SecretStore;
  readonly dns: DnsReader;
  /** Postmark getDomain with the given account token. */
  readonly getDomain: (token: string, id: number) => Promise<DomainDetails>;
  readonly remember?: (secret: string) => void;
}

interface AssetSpec {
  readonly asset: string;
  readonly group: InstanceGroup;
  readonly domain: string;
  readonly contextKey: string;
  readonly tokenRef: string;
  /** 1Password items a deploy of this asset needs. */
  readonly requiredSecrets: string[];
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
      requiredSecrets: [...accountRefs, ...platform.corporate.assets.map((a) => `op://${platform.corporate.vault}/${a.serverTokenItem}/credential`)],
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
        requiredSecrets: [...accountRefs, partitionPostmarkTokenRef(p), partitionKeyRegistryRef(p)],
      });
    }
  }
  return out;
}

/** Postmark's active key: the current one, or before the first verification the pending one. */
function postmarkEntry(d: DomainDetails): MailContextEntry {
  const current = Boolean(d.DKIMHost && d.DKIMTextValue);
  const host = current ? d.DKIMHost : d.DKIMPendingHost;
  return {
    domainId: d.ID,
    dkimSelector: dkimSelectorFromHost(host),
    dkimPublicKey: current ? d.DKIMTextValue : d.DKIMPendingTextValue,
    dkimHost: host,
    returnPathDomain: d.ReturnPathDomain,
    returnPathTarget: d.ReturnPathDomainCNAMEValue || POSTMARK_RETURN_PATH_TARGET,
  };
}

const short = (v: unknown): string => {
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return s && s.length > 60 ? `${s.slice(0, 40)}…(${s.length} chars)` : String(s);
};

async function assetDrift(d: DriftDeps, a: AssetSpec): Promise<AssetDrift> {
  const items: DriftItem[] = [];
  for (const ref of [...new Set(a.requiredSecrets)]) {
    let exists = false;
    try {
      exists = await d.secrets.exists(ref);
    } catch {
      exists = false;
    }
    if (!exists) items.push({ kind: "secret", subject: ref, expected: `1Password item exists (${d.secrets.description})`, seen: "missing" });
  }
  const ctx = d.context[a.contextKey] as Partial<MailContextEntry> | undefined;
  if (!ctx || typeof ctx.domainId !== "number") {
    items.push({ kind: "context", subject: a.contextKey, expected: "a committed register entry", seen: "missing" });
    return { asset: a.asset, instanceGroup: a.group, sendingDomain: a.domain, drifted: true, items };
  }
  let token: string;
  try {
    token = await d.secrets.read(a.tokenRef);
    d.remember?.(token);
  } catch {
    items.push({ kind: "postmark", subject: a.domain, expected: "Postmark domain readable", seen: `account token ${a.tokenRef} does not resolve` });
    return { asset: a.asset, instanceGroup: a.group, sendingDomain: a.domain, drifted: true, items };
  }
  let dom: DomainDetails;
  try {
    dom = await d.getDomain(token, ctx.domainId);
  } catch (e) {
    items.push({ kind: "postmark", subject: `Postmark domain ${ctx.domainId}`, expected: `domain ${a.domain} exists`, seen: (e as Error).message });
    return { asset: a.asset, instanceGroup: a.group, sendingDomain: a.domain, drifted: true, items };
  }
  const pm = postmarkEntry(dom);
  const placement = sendingDomainPlacement({ sendingDomain: a.domain, dkim: { selector: pm.dkimSelector, publicKey: pm.dkimPublicKey }, dmarcReportMailbox: d.platform.dmarcReportMailbox, returnPathTarget: pm.returnPathTarget });

  // Postmark ↔ placement (the seam the seed's DQ-R1-009 bug broke).
  if (dom.Name !== a.domain) items.push({ kind: "placement", subject: `Postmark domain ${dom.ID} name`, expected: a.domain, seen: dom.Name });
  if (pm.dkimHost !== placement.dkim.name) items.push({ kind: "placement", subject: "DKIM host", expected: placement.dkim.name, seen: pm.dkimHost });
  if (pm.returnPathDomain !== placement.returnPath.name) items.push({ kind: "placement", subject: "Return-Path domain", expected: placement.returnPath.name, seen: pm.returnPathDomain || "none" });

  // Context ↔ Postmark.
  for (const k of ["dkimHost", "dkimSelector", "dkimPublicKey", "returnPathDomain", "returnPathTarget"] as const) {
    if (ctx[k] !== pm[k]) items.push({ kind: "context", subject: `${a.contextKey}.${k}`, expected: `${short(pm[k])} (Postmark)`, seen: short(ctx[k]) });
  }

  // Postmark's own state: verified, no rotation waiting for DNS.
  if (!dom.DKIMVerified || !dom.ReturnPathDomainVerified) {
    items.push({ kind: "postmark-verification", subject: `Postmark domain ${dom.ID}`, expected: "DKIM and Return-Path verified", seen: `DKIMVerified=${dom.DKIMVerified}, ReturnPathDomainVerified=${dom.ReturnPathDomainVerified}` });
  }
  if (dom.DKIMHost && dom.DKIMPendingHost) {
    items.push({ kind: "postmark-rotation", subject: dom.DKIMPendingHost, expected: "no pending DKIM key outside the context and DNS", seen: `pending key ${dkimSelectorFromHost(dom.DKIMPendingHost)} (rotation): re-register with --update, deploy, verify` });
  }

  // DNS ↔ placement of Postmark's values.
  const dns = await verifyDomain({ label: a.asset, sendingDomain: a.domain, entry: pm, dmarcReportMailbox: d.platform.dmarcReportMailbox, requiredOutputs: [] }, { dns: d.dns });
  for (const c of dns.checks.filter((x) => !x.ok)) items.push({ kind: `dns:${c.check}`, subject: c.subject, expected: c.expected, seen: c.seen });

  return { asset: a.asset, instanceGroup: a.group, sendingDomain: a.domain, drifted: items.length > 0, items };
}

export async function detectDrift(d: DriftDeps, groups: readonly InstanceGroup[] = INSTANCE_GROUPS): Promise<DriftReport> {
  const assets: AssetDrift[] = [];
  for (const a of assetsOf(d.platform, groups)) assets.push(await assetDrift(d, a));
  return { platform: d.platform.name, instanceGroups: [...groups], resolver: d.dns.source, drifted: assets.some((a) => a.drifted), assets };
}

export function formatDrift(r: DriftReport): string {
  const lines = [`drift (${r.instanceGroups.join(", ")}) via ${r.resolver}: ${r.drifted ? "DRIFT" : "no drift"}`];
  for (const a of r.assets) {
    lines.push(`  ${a.drifted ? "DRIFT" : "ok   "} ${a.asset} (${a.sendingDomain})`);
    for (const i of a.items) lines.push(`        ${i.kind} ${i.subject}: expected ${i.expected}, seen ${i.seen}`);
  }
  return lines.join("\n");
}
