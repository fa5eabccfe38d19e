/**
 * The sandbox's DNS after a real apply: the zones the local AWS's Route53 holds, read back (not
 * the synthesized expressions), served by the local Knot tree. Each zone's record sets are kept in
 * `<dnsDir>/route53/<zone>.json`, so a deploy of one stack refreshes its own zone and the root zone
 * (where its delegation lives) while the others stay as last read.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { withFileLock } from "../../lib/atomic-file";
import { reloadZones } from "./knot";
import { normalizeName, type DnsRecord, type RecordType, type Zone } from "./zone";

/** One Route53 record set as read back from the API. */
export interface RecordSet {
  readonly name: string;
  readonly type: string;
  readonly ttl?: number;
  /** ResourceRecords values verbatim (TXT still quoted, as Route53 returns them). */
  readonly values: readonly string[];
}

export interface Route53Zone {
  readonly name: string;
  readonly recordSets: readonly RecordSet[];
}

const SERVED: ReadonlySet<string> = new Set<RecordType>(["A", "AAAA", "CNAME", "MX", "NS", "TXT"]);

/**
 * A TXT value as Route53 returns it — `"a" "b"` or the provider's `"a""b"` — into its
 * character-strings; an unquoted value is one string.
 */
export function txtStrings(value: string): string[] {
  const v = value.trim();
  if (!v.startsWith('"')) return [v];
  const out: string[] = [];
  let i = 0;
  while (i < v.length) {
    if (v[i] === " ") {
      i++;
      continue;
    }
    if (v[i] !== '"') throw new Error(`TXT value is not a sequence of quoted strings: ${v.slice(0, 60)}`);
    let s = "";
    i++;
    while (i < v.length && v[i] !== '"') {
      if (v[i] === "\\" && i + 1 < v.length) i++;
      s += v[i++];
    }
    if (v[i] !== '"') throw new Error(`TXT value has an unterminated string: ${v.slice(0, 60)}`);
    i++;
    out.push(s);
  }
  return out;
}

/**
 * Zones for Knot from Route53's record sets: the apex NS set becomes the zone's name servers (so
 * a parent's delegation and the child's own NS compare as on the real internet), SOA is Knot's own.
 */
export function zonesFromRoute53(zones: readonly Route53Zone[]): Zone[] {
  return zones.map((z) => {
    const name = normalizeName(z.name);
    const records: DnsRecord[] = [];
    let nameServers: string[] = [];
    for (const rs of z.recordSets) {
      const type = rs.type.toUpperCase();
      const rname = normalizeName(rs.name);
      if (type === "NS" && rname === name) {
        nameServers = rs.values.map(normalizeName);
        continue;
      }
      if (!SERVED.has(type)) continue;
      const values = type === "TXT" ? rs.values.map(txtStrings) : rs.values.map((v) => (type === "CNAME" || type === "NS" ? normalizeName(v) : v));
      records.push({ name: rname, type: type as RecordType, ttl: rs.ttl ?? 300, values });
    }
    if (nameServers.length === 0) throw new Error(`Route53 zone ${name} has no NS record set at its apex`);
    return { name, nameServers, records };
  });
}

/** Store the zones read back and reload the Knot tree with every zone stored so far. */
export async function publishRoute53Zones(dnsDir: string, read: readonly Route53Zone[]): Promise<{ zones: string[]; records: number }> {
  const store = path.join(dnsDir, "route53");
  fs.mkdirSync(store, { recursive: true });
  return withFileLock(path.join(dnsDir, "publish"), async () => {
    for (const z of read) fs.writeFileSync(path.join(store, `${normalizeName(z.name)}.json`), JSON.stringify(z));
    const all = fs
      .readdirSync(store)
      .filter((f) => f.endsWith(".json"))
      .map((f) => JSON.parse(fs.readFileSync(path.join(store, f), "utf8")) as Route53Zone);
    await reloadZones(dnsDir, zonesFromRoute53(all));
    return { zones: read.map((z) => normalizeName(z.name)), records: read.reduce((n, z) => n + z.recordSets.length, 0) };
  });
}
