/**
 * The few Route53 calls the sandbox needs, as signed REST requests (@aws-sdk/client-route53 is not
 * installable here): the registrar's zone in the Root account, and reading applied record sets
 * back so the local DNS serves what was applied. Sandbox-only.
 */
import { randomUUID } from "node:crypto";
import { route53Request } from "../../lib/aws/route53";
import type { Platform } from "../../platform/model";
import { clientConfig, type ClientConfig } from "./clients";
import type { LocalAws } from "./local-aws";

const API = "/2013-04-01";
const XMLNS = "https://route53.amazonaws.com/doc/2013-04-01/";
/** The model's shape of a hosted zone id (platform/load.ts): moto's ids do not always start with Z. */
const MODEL_ZONE_ID = /^Z[0-9A-Z]{4,31}$/;

function unescapeXml(s: string): string {
  return s.replace(/&(quot|amp|lt|gt|apos|#(\d+));/g, (_, e: string, n?: string) =>
    n ? String.fromCharCode(Number(n)) : ({ quot: '"', amp: "&", lt: "<", gt: ">", apos: "'" } as Record<string, string>)[e],
  );
}
function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[c]!);
}
function blocks(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, "g"))].map((m) => m[1]);
}
function field(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(xml);
  return m ? unescapeXml(m[1]) : undefined;
}

/** The signed call is lib's (one signer for production reads and the sandbox). */
const route53 = (cfg: ClientConfig, method: "GET" | "POST" | "DELETE", pathAndQuery: string, body?: string): Promise<string> => route53Request(cfg, method, pathAndQuery, body);

interface Zone {
  readonly id: string;
  readonly name: string;
  readonly comment: string;
}

export async function listZones(cfg: ClientConfig): Promise<Zone[]> {
  const xml = await route53(cfg, "GET", `${API}/hostedzone`);
  return blocks(xml, "HostedZone").map((z) => ({
    id: (field(z, "Id") ?? "").replace(/^\/hostedzone\//, ""),
    name: (field(z, "Name") ?? "").replace(/\.$/, ""),
    comment: field(z, "Comment") ?? "",
  }));
}

async function createZone(cfg: ClientConfig, name: string, comment: string): Promise<string> {
  const body =
    `<?xml version="1.0" encoding="UTF-8"?><CreateHostedZoneRequest xmlns="${XMLNS}"><Name>${escapeXml(name)}</Name>` +
    `<CallerReference>${randomUUID()}</CallerReference><HostedZoneConfig><Comment>${escapeXml(comment)}</Comment><PrivateZone>false</PrivateZone></HostedZoneConfig></CreateHostedZoneRequest>`;
  const xml = await route53(cfg, "POST", `${API}/hostedzone`, body);
  return (field(blocks(xml, "HostedZone")[0] ?? "", "Id") ?? "").replace(/^\/hostedzone\//, "");
}

function rootProfile(platform: Platform): string {
  const root = platform.infrastructures.find((i) => i.kind === "platformRoot");
  if (!root?.awsProfile) throw new Error("local AWS: the model's platformRoot infrastructure has no awsProfile");
  return root.awsProfile;
}

/**
 * The registrar's zone of the mail root domain in the Root account, with the registrar's comment
 * (Root adopts it with an import block). Idempotent: an existing one is returned. moto draws zone
 * ids at random and not always in the model's `Z…` shape, so zones are drawn until one fits; the
 * caller gives that id to the model (`rootZone.id`).
 */
export async function createRegistrarZone(aws: LocalAws, platform: Platform): Promise<{ zoneId: string }> {
  const cfg = await clientConfig(aws, rootProfile(platform));
  const name = platform.mailRootDomain;
  const comment = "HostedZone created by Route53 Registrar";
  const existing = (await listZones(cfg)).find((z) => z.name === name && z.comment === comment && MODEL_ZONE_ID.test(z.id));
  if (existing) return { zoneId: existing.id };
  for (let attempt = 0; attempt < 1000; attempt++) {
    const id = await createZone(cfg, name, comment);
    if (MODEL_ZONE_ID.test(id)) return { zoneId: id };
    await route53(cfg, "DELETE", `${API}/hostedzone/${id}`);
  }
  throw new Error(`local AWS: no zone id in the model's shape after 1000 draws`);
}

export interface RecordSet {
  readonly name: string;
  readonly type: string;
  readonly ttl?: number;
  /** As Route53 returns them (a TXT value keeps its quotes, `"a""b"` for a split value). */
  readonly values: string[];
}

/** Every record set of a zone, read with `profile`'s account (names without the trailing dot). */
export async function readRecordSets(aws: LocalAws, profile: string, zoneId: string): Promise<RecordSet[]> {
  const cfg = await clientConfig(aws, profile);
  const out: RecordSet[] = [];
  let query = "";
  for (;;) {
    const xml = await route53(cfg, "GET", `${API}/hostedzone/${encodeURIComponent(zoneId)}/rrset${query}`);
    for (const rs of blocks(xml, "ResourceRecordSet")) {
      const ttl = field(rs, "TTL");
      out.push({
        name: (field(rs, "Name") ?? "").replace(/\.$/, ""),
        type: field(rs, "Type") ?? "",
        ...(ttl !== undefined ? { ttl: Number(ttl) } : {}),
        values: blocks(rs, "ResourceRecord").map((r) => field(r, "Value") ?? ""),
      });
    }
    if (field(xml, "IsTruncated") !== "true") return out;
    const next = new URLSearchParams({ name: field(xml, "NextRecordName") ?? "", type: field(xml, "NextRecordType") ?? "" });
    query = `?${next}`;
  }
}
