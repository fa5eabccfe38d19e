/**
 * Route53 reads of the takeover as signed REST calls (@aws-sdk/client-route53 is not installable
 * here): the hosted zones of one name, and a zone's record sets. Responses are XML; only the few
 * fields used are extracted, each shape-checked.
 */
import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import { endpointFromEnvironment, resolveCredentials, type AwsClientSettings } from "./settings";

const API = "/2013-04-01";
const ZONE_ID = /^[A-Z0-9]{1,32}$/;
const DNS_NAME = /^[a-z0-9_*.-]{1,253}$/i;

type Data = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: Data): string | Buffer => (typeof d === "string" ? d : ArrayBuffer.isView(d) ? Buffer.from(d.buffer, d.byteOffset, d.byteLength) : Buffer.from(d));
/** node:crypto as the signer's hash (the SDK's hash packages are not direct dependencies). */
class Sha256 {
  private h: Hash | Hmac;
  constructor(private readonly secret?: Data) {
    this.h = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret !== undefined ? createHmac("sha256", bytes(this.secret)) : createHash("sha256");
  }
  update(data: Data): void {
    this.h.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
  reset(): void {
    this.h = this.fresh();
  }
}

function unescapeXml(s: string): string {
  return s.replace(/&(quot|amp|lt|gt|apos|#(\d+));/g, (_, e: string, n?: string) =>
    n ? String.fromCharCode(Number(n)) : ({ quot: '"', amp: "&", lt: "<", gt: ">", apos: "'" } as Record<string, string>)[e],
  );
}
const blocks = (xml: string, tag: string): string[] => [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, "g"))].map((m) => m[1]);
function field(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(xml);
  return m ? unescapeXml(m[1]) : undefined;
}

/** One signed Route53 REST call; the response body (XML). Non-2xx throws with Route53's code and message. */
export async function route53Request(s: AwsClientSettings, method: "GET" | "POST" | "DELETE", pathAndQuery: string, body?: string): Promise<string> {
  // As the SDK's own clients do: an emulator's endpoint from the environment when the settings give none.
  const url = new URL((s.endpoint ?? endpointFromEnvironment("ROUTE_53") ?? "https://route53.amazonaws.com") + pathAndQuery);
  const headers: Record<string, string> = { host: url.host, ...(body ? { "content-type": "application/xml" } : {}) };
  const signer = new SignatureV4({ service: "route53", region: "us-east-1", credentials: await resolveCredentials(s), sha256: Sha256 });
  const signed = await signer.sign({
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers,
    body,
  });
  const r = await fetch(url, { method, headers: signed.headers, body }).catch((e: Error) => {
    const cause = (e.cause as Error | undefined)?.message;
    throw new Error(`Route53 at ${url.origin} cannot be reached (${method} ${url.pathname}): ${cause ?? e.message}`);
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`Route53 ${method} ${url.pathname}: HTTP ${r.status} ${field(text, "Code") ?? ""} ${field(text, "Message") ?? ""}`.trim());
  return text;
}
const get = (s: AwsClientSettings, pathAndQuery: string): Promise<string> => route53Request(s, "GET", pathAndQuery);

export interface LiveZone {
  readonly id: string;
  readonly name: string;
}

/**
 * Every hosted zone named exactly `name` (names without the trailing dot). All zones are listed and
 * filtered here rather than asked by name: moto's ListHostedZonesByName misses a zone its
 * CloudFormation created without the trailing dot, and an account holds few zones.
 */
export async function zonesNamed(s: AwsClientSettings, name: string): Promise<LiveZone[]> {
  if (!DNS_NAME.test(name)) throw new Error(`not a DNS name: ${JSON.stringify(name)}`);
  const want = name.toLowerCase().replace(/\.$/, "");
  const out: LiveZone[] = [];
  let marker: string | undefined;
  do {
    const xml = await get(s, `${API}/hostedzone?maxitems=100${marker ? `&marker=${encodeURIComponent(marker)}` : ""}`);
    for (const z of blocks(xml, "HostedZone")) {
      const zone = { id: (field(z, "Id") ?? "").replace(/^\/hostedzone\//, ""), name: (field(z, "Name") ?? "").replace(/\.$/, "") };
      if (zone.name.toLowerCase() !== want) continue;
      if (!ZONE_ID.test(zone.id)) throw new Error(`Route53: unexpected hosted zone id ${JSON.stringify(zone.id)} for ${name}`);
      out.push(zone);
    }
    marker = field(xml, "IsTruncated") === "true" ? field(xml, "NextMarker") : undefined;
  } while (marker);
  return out;
}

export interface LiveRecordSet {
  readonly name: string;
  readonly type: string;
}

export async function recordSets(s: AwsClientSettings, zoneId: string): Promise<LiveRecordSet[]> {
  if (!ZONE_ID.test(zoneId)) throw new Error(`not a hosted zone id: ${JSON.stringify(zoneId)}`);
  const out: LiveRecordSet[] = [];
  let query = "";
  for (;;) {
    const xml = await get(s, `${API}/hostedzone/${zoneId}/rrset${query}`);
    for (const rs of blocks(xml, "ResourceRecordSet")) {
      out.push({ name: (field(rs, "Name") ?? "").replace(/\.$/, "").toLowerCase(), type: field(rs, "Type") ?? "" });
    }
    if (field(xml, "IsTruncated") !== "true") return out;
    query = `?${new URLSearchParams({ name: field(xml, "NextRecordName") ?? "", type: field(xml, "NextRecordType") ?? "" })}`;
  }
}
