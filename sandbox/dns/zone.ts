/**
 * DNS zones as data: what the synthesized stacks' `aws_route53_record` resources would put into
 * Route53, rendered as RFC 1035 zone files for the real DNS server the tests and the demo start.
 *
 * Offline, Route53 never assigns name servers, and a record whose value is a Terraform expression
 * (a provider-computed DKIM key, a zone's `name_servers`) has no value yet. Those are resolved
 * here: name servers are fabricated deterministically per zone (the same list in the zone's apex
 * and in the parent's delegation, as Route53 + the NS-delegation record would produce), and any
 * other expression is resolved by the caller-supplied `resolveExpression` (e.g. from the
 * placement function with the Postmark/context values). Nothing secret is ever in a zone.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export type RecordType = "A" | "AAAA" | "CNAME" | "MX" | "NS" | "TXT";

export interface DnsRecord {
  /** Fully qualified, lower-case, no trailing dot. */
  readonly name: string;
  readonly type: RecordType;
  readonly ttl: number;
  /** For TXT: each value is one record; its character-strings are separate array items. */
  readonly values: readonly (readonly string[])[] | readonly string[];
}

export interface Zone {
  /** Apex, lower-case, no trailing dot. */
  readonly name: string;
  readonly nameServers: readonly string[];
  readonly records: DnsRecord[];
}

export function normalizeName(n: string): string {
  return n.trim().toLowerCase().replace(/\.$/, "");
}

/** Deterministic stand-ins for the four name servers Route53 would assign to a zone. */
export function fabricatedNameServers(zone: string): string[] {
  const tag = normalizeName(zone).replace(/\./g, "-");
  return [1, 2, 3, 4].map((i) => `ns-${i}-${tag}.sandbox-route53.test`);
}

/** `chunk1""chunk2` (the AWS provider's multi-string TXT form) → ["chunk1", "chunk2"]. */
export function txtStringsFromRoute53(value: string): string[] {
  return value.split('""');
}

interface TfRecord {
  name?: string;
  type?: string;
  ttl?: number;
  records?: string[] | string;
  zone_id?: string;
}

interface TfStack {
  resource?: {
    aws_route53_record?: Record<string, TfRecord>;
    aws_route53_zone?: Record<string, { name?: string }>;
  };
}

export interface StackRecords {
  readonly zones: string[];
  readonly records: Array<{ name: string; type: RecordType; ttl: number; values: string[]; resourceId: string }>;
}

/** Expression → value(s); return undefined to fail loudly on an unknown expression. */
export type ExpressionResolver = (expr: string, record: { name: string; type: string }) => string[] | undefined;

const EXPR = /^\$\{(.+)\}$/;

/**
 * Read the `aws_route53_zone` / `aws_route53_record` resources of one synthesized stack
 * (`cdktf.out/stacks/<stack>/cdk.tf.json`).
 */
export function recordsFromStack(file: string, resolve: ExpressionResolver = () => undefined): StackRecords {
  const stack = JSON.parse(fs.readFileSync(file, "utf8")) as TfStack;
  const zoneRes = stack.resource?.aws_route53_zone ?? {};
  const zonesById = new Map<string, string>();
  for (const [id, z] of Object.entries(zoneRes)) if (z.name) zonesById.set(id, normalizeName(z.name));
  const out: StackRecords = { zones: [...zonesById.values()], records: [] };
  for (const [id, r] of Object.entries(stack.resource?.aws_route53_record ?? {})) {
    if (!r.name || !r.type) throw new Error(`${path.basename(path.dirname(file))}: aws_route53_record.${id} has no literal name/type`);
    const name = normalizeName(r.name);
    const type = r.type.toUpperCase() as RecordType;
    const raw = r.records ?? [];
    const list = typeof raw === "string" ? [raw] : raw;
    const values: string[] = [];
    for (const v of list) {
      const m = EXPR.exec(v);
      if (!m) {
        values.push(v);
        continue;
      }
      const ns = /^aws_route53_zone\.([^.]+)\.name_servers$/.exec(m[1]);
      if (ns && zonesById.has(ns[1])) {
        values.push(...fabricatedNameServers(zonesById.get(ns[1])!));
        continue;
      }
      const resolved = resolve(v, { name, type });
      if (!resolved) throw new Error(`aws_route53_record.${id} (${name} ${type}): cannot resolve ${v} offline`);
      values.push(...resolved);
    }
    out.records.push({ name, type, ttl: r.ttl ?? 300, values, resourceId: id });
  }
  return out;
}

/** Place every record into the most specific zone that contains it; an NS at a child apex is the parent's delegation. */
export function assembleZones(zoneNames: readonly string[], records: StackRecords["records"]): Zone[] {
  const names = [...new Set(zoneNames.map(normalizeName))];
  const zones = new Map<string, Zone>(names.map((n) => [n, { name: n, nameServers: fabricatedNameServers(n), records: [] }]));
  const owner = (name: string, delegation: boolean): Zone | undefined => {
    let best: string | undefined;
    for (const z of names) {
      const inside = name === z || name.endsWith(`.${z}`);
      if (!inside || (delegation && name === z)) continue;
      if (!best || z.length > best.length) best = z;
    }
    return best ? zones.get(best) : undefined;
  };
  for (const r of records) {
    const isDelegation = r.type === "NS" && zones.has(r.name);
    const z = owner(r.name, isDelegation);
    if (!z) throw new Error(`record ${r.name} ${r.type} belongs to no known zone (${names.join(", ")})`);
    const values = r.type === "TXT" ? r.values.map(txtStringsFromRoute53) : r.values;
    z.records.push({ name: r.name, type: r.type, ttl: r.ttl, values });
  }
  return [...zones.values()];
}

function quoteTxt(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

function fqdn(n: string): string {
  return `${normalizeName(n)}.`;
}

/** RFC 1035 zone file (what knotd loads). */
export function renderZoneFile(zone: Zone, serial = 1): string {
  const lines = [
    `$ORIGIN ${fqdn(zone.name)}`,
    `$TTL 300`,
    `@ 300 IN SOA ${fqdn(zone.nameServers[0])} hostmaster.${fqdn(zone.name)} ${serial} 7200 900 1209600 60`,
    ...zone.nameServers.map((ns) => `@ 300 IN NS ${fqdn(ns)}`),
  ];
  for (const r of zone.records) {
    if (r.type === "NS" && r.name === zone.name) continue; // apex NS come from the zone itself
    for (const v of r.values) {
      const rdata = r.type === "TXT" ? (Array.isArray(v) ? (v as string[]) : [v as string]).map(quoteTxt).join(" ") : r.type === "CNAME" || r.type === "NS" ? fqdn(v as string) : String(v);
      lines.push(`${fqdn(r.name)} ${r.ttl} IN ${r.type} ${rdata}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** Copy of `zones` without the records matching `pred` (tests: "remove one record"). */
export function withoutRecord(zones: readonly Zone[], pred: (r: DnsRecord) => boolean): Zone[] {
  return zones.map((z) => ({ ...z, records: z.records.filter((r) => !pred(r)) }));
}

/** Copy of `zones` with the matching records' values replaced (tests: "alter one value"). */
export function withRecordValues(zones: readonly Zone[], pred: (r: DnsRecord) => boolean, values: DnsRecord["values"]): Zone[] {
  return zones.map((z) => ({ ...z, records: z.records.map((r) => (pred(r) ? { ...r, values } : r)) }));
}
