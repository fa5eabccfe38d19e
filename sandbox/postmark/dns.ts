/**
 * Where the sandbox gets its DNS truth when it "verifies" a domain, like Postmark probing DNS:
 * (a) records declared through the admin API (tests), and/or
 * (b) a real DNS server asked with Node's resolver (`--dns-resolver ip:port`, e.g. a knot/nsd on
 *     loopback run by the verify tests).
 * Declared records win over the resolver for the same name and type.
 */
import { promises as dnsPromises } from "node:dns";

export type DnsRecordType = "TXT" | "CNAME";

export interface DeclaredRecord {
  type: DnsRecordType;
  /** Fully-qualified name, lower case, no trailing dot. */
  name: string;
  /** TXT: the joined strings of one record; CNAME: the target (lower case, no trailing dot). */
  value: string;
}

export function normName(name: string): string {
  return name.trim().replace(/\.$/, "").toLowerCase();
}

/** A DNS view: TXT values (each record's strings joined) and CNAME targets for a name. */
export interface DnsTruth {
  txt(name: string): Promise<string[]>;
  cname(name: string): Promise<string[]>;
}

/** Records declared through the admin API. */
export class DeclaredDns implements DnsTruth {
  private records: DeclaredRecord[] = [];

  constructor(initial: DeclaredRecord[] = []) {
    for (const r of initial) this.add(r);
  }

  add(r: DeclaredRecord): void {
    const rec: DeclaredRecord = { type: r.type, name: normName(r.name), value: r.type === "CNAME" ? normName(r.value) : r.value };
    // A CNAME excludes other data at that name; a TXT name may carry several records.
    if (rec.type === "CNAME") this.records = this.records.filter((x) => !(x.name === rec.name && x.type === "CNAME"));
    if (!this.records.some((x) => x.type === rec.type && x.name === rec.name && x.value === rec.value)) this.records.push(rec);
  }

  /** Remove records of a type at a name (all of them, or only the one with `value`). Returns how many. */
  remove(type: DnsRecordType, name: string, value?: string): number {
    const n = normName(name);
    const before = this.records.length;
    this.records = this.records.filter((x) => !(x.type === type && x.name === n && (value === undefined || x.value === value)));
    return before - this.records.length;
  }

  clear(): void {
    this.records = [];
  }

  list(): DeclaredRecord[] {
    return this.records.map((r) => ({ ...r }));
  }

  has(type: DnsRecordType, name: string): boolean {
    const n = normName(name);
    return this.records.some((x) => x.type === type && x.name === n);
  }

  async txt(name: string): Promise<string[]> {
    const n = normName(name);
    return this.records.filter((x) => x.type === "TXT" && x.name === n).map((x) => x.value);
  }

  async cname(name: string): Promise<string[]> {
    const n = normName(name);
    return this.records.filter((x) => x.type === "CNAME" && x.name === n).map((x) => x.value);
  }
}

/** Parse `ip:port`, `[v6]:port` or a bare ip (port 53). */
export function parseResolverAddress(spec: string): string {
  const s = spec.trim();
  const v6 = /^\[([0-9a-fA-F:]+)\](?::(\d+))?$/.exec(s);
  if (v6) return `[${v6[1]}]:${v6[2] ?? "53"}`;
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3})(?::(\d{1,5}))?$/.exec(s);
  if (v4 && Number(v4[2] ?? "53") <= 65535) return `${v4[1]}:${v4[2] ?? "53"}`;
  throw new Error(`--dns-resolver "${spec}" is not ip:port (e.g. 127.0.0.1:5353)`);
}

/** Codes meaning "no such record" rather than "the DNS server failed". */
const NO_DATA = new Set(["ENOTFOUND", "ENODATA", "ENONAME", "NXDOMAIN"]);

/** Asks a real DNS server (no cache: each verify sees the zone as it is now). */
export class ResolverDns implements DnsTruth {
  private readonly resolver: dnsPromises.Resolver;

  constructor(address: string, timeoutMs = 2000) {
    this.resolver = new dnsPromises.Resolver({ timeout: timeoutMs, tries: 2 });
    this.resolver.setServers([parseResolverAddress(address)]);
  }

  async txt(name: string): Promise<string[]> {
    try {
      return (await this.resolver.resolveTxt(normName(name))).map((chunks) => chunks.join(""));
    } catch (e) {
      if (NO_DATA.has((e as NodeJS.ErrnoException).code ?? "")) return [];
      throw e;
    }
  }

  async cname(name: string): Promise<string[]> {
    try {
      return (await this.resolver.resolveCname(normName(name))).map(normName);
    } catch (e) {
      if (NO_DATA.has((e as NodeJS.ErrnoException).code ?? "")) return [];
      throw e;
    }
  }
}

/** Declared records first; the resolver (if any) for names with nothing declared. */
export class CombinedDns implements DnsTruth {
  constructor(
    readonly declared: DeclaredDns,
    private readonly resolver?: DnsTruth,
  ) {}

  async txt(name: string): Promise<string[]> {
    if (this.declared.has("TXT", name) || !this.resolver) return this.declared.txt(name);
    return this.resolver.txt(name);
  }

  async cname(name: string): Promise<string[]> {
    if (this.declared.has("CNAME", name) || !this.resolver) return this.declared.cname(name);
    return this.resolver.cname(name);
  }
}
