/**
 * DNS reading for verify and drift: Node's own resolver (c-ares), pointed at `--resolver
 * <ip:port>` or the system's. No shelled-out dig (the operator log's dig went to public
 * resolvers and read cached answers).
 */
import { Resolver } from "node:dns/promises";
import { parseServer, queryNoRecursion, RCODE_NAMES, TYPE_NS } from "./wire";

export interface DnsReader {
  /** Each TXT record's character-strings joined (a DKIM key split at 255 bytes reads whole). */
  txt(name: string): Promise<string[]>;
  cname(name: string): Promise<string[]>;
  ns(name: string): Promise<string[]>;
  /** The parent zone's delegation of `zone`, read from the parent's own server (see Delegation). */
  delegation(zone: string): Promise<Delegation>;
  /** Where the answers come from, for messages. */
  readonly source: string;
}

export interface Delegation {
  readonly parent: string;
  /** The parent's server that answered (`ip:port`). */
  readonly server: string;
  readonly nameServers: string[];
  /**
   * The parent's server also serves the zone itself (one local DNS server for the whole tree):
   * it answers from the zone's apex, so the parent's delegation cannot be read apart from it.
   */
  readonly sharedServer: boolean;
}

/** The parent's delegation could not be read: the message says what was asked where, and what came back. */
export class DelegationError extends Error {}

/** What a failed lookup looked like to the operator: `no TXT record (ENOTFOUND)`. */
export class LookupError extends Error {
  constructor(
    readonly code: string,
    readonly rrtype: string,
    name: string,
  ) {
    // "No such record" and "the DNS server did not answer" call for different fixes: say which.
    super(NO_RECORD.has(code) ? `no ${rrtype} record at ${name} (${code})` : `${rrtype} query for ${name} failed: ${code} (DNS server unreachable or failing)`);
  }
}

const NO_RECORD = new Set(["ENOTFOUND", "ENODATA", "ENONAME", "NXDOMAIN"]);

function validateAddress(addr: string, flag = "--resolver"): string {
  try {
    parseServer(addr);
  } catch (e) {
    throw new Error(`${flag} ${(e as Error).message}`);
  }
  return addr;
}

export interface DnsReaderOptions {
  readonly timeoutMs?: number;
  readonly tries?: number;
  /**
   * The parent zone's server (`--parent-server <ip:port>`). Default: the parent's NS names,
   * resolved through the resolver, port 53 — what a real tree needs; a local server that serves
   * every zone on a loopback port (tests, the demo) is named here.
   */
  readonly parentServer?: string;
}

export function dnsReader(resolver?: string, opts: DnsReaderOptions = {}): DnsReader {
  const r = new Resolver({ timeout: opts.timeoutMs ?? 2000, tries: opts.tries ?? 2 });
  if (resolver) r.setServers([validateAddress(resolver)]);
  if (opts.parentServer) validateAddress(opts.parentServer, "--parent-server");
  const wrap = async <T>(rrtype: string, name: string, f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? "ERROR";
      throw new LookupError(code, rrtype, name);
    }
  };
  const strip = (n: string): string => n.toLowerCase().replace(/\.$/, "");
  return {
    source: resolver ?? `system resolver (${r.getServers().join(", ")})`,
    txt: (name) => wrap("TXT", name, async () => (await r.resolveTxt(name)).map((parts) => parts.join(""))),
    cname: (name) => wrap("CNAME", name, async () => (await r.resolveCname(name)).map(strip)),
    ns: (name) => wrap("NS", name, async () => (await r.resolveNs(name)).map(strip)),
    delegation: (zone) => readDelegation(r, zone, opts),
  };
}

/** `dev.ardamails.com` → `ardamails.com`. */
export function parentZoneOf(zone: string): string {
  return zone.toLowerCase().replace(/\.$/, "").split(".").slice(1).join(".");
}

async function parentServers(r: Resolver, parent: string, opts: DnsReaderOptions): Promise<string[]> {
  if (opts.parentServer) return [opts.parentServer];
  let names: string[];
  try {
    names = await r.resolveNs(parent);
  } catch (e) {
    throw new DelegationError(`cannot find the name servers of ${parent}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} (name its server with --parent-server <ip:port>)`);
  }
  const lookup = (n: string, f: (n: string) => Promise<string[]>): Promise<string[]> => f.call(r, n).catch(() => [] as string[]);
  const v4 = (await Promise.all(names.map((n) => lookup(n, r.resolve4)))).flat().map((a) => `${a}:53`);
  const v6 = (await Promise.all(names.map((n) => lookup(n, r.resolve6)))).flat().map((a) => `[${a}]:53`);
  if (!v4.length && !v6.length) throw new DelegationError(`no address for any name server of ${parent} (${names.join(", ")}); name its server with --parent-server <ip:port>`);
  // IPv4 first: an IPv6 route is the one more often missing on a runner.
  return [...v4, ...v6];
}

/**
 * Ask the parent's server (not a resolver) for the zone's NS without recursion. A delegation is a
 * referral: NS records for the zone in the authority section. An authoritative "no such name"
 * means the parent does not delegate the zone, whatever a cached or local answer says.
 */
async function readDelegation(r: Resolver, zone: string, opts: DnsReaderOptions): Promise<Delegation> {
  const name = zone.toLowerCase().replace(/\.$/, "");
  const parent = parentZoneOf(name);
  const servers = await parentServers(r, parent, opts);
  const failures: string[] = [];
  for (const server of servers) {
    let res;
    try {
      res = await queryNoRecursion(server, name, TYPE_NS, opts);
    } catch (e) {
      failures.push(`${server}: ${(e as Error).message}`);
      continue;
    }
    const ns = (records: typeof res.answer): string[] => records.filter((x) => x.type === TYPE_NS && x.name === name).map((x) => x.data);
    const rcode = RCODE_NAMES[res.rcode] ?? `RCODE ${res.rcode}`;
    if (res.rcode === 0 && !res.authoritative && ns(res.authority).length) return { parent, server, nameServers: ns(res.authority), sharedServer: false };
    if (res.rcode === 0 && res.authoritative && ns(res.answer).length) return { parent, server, nameServers: ns(res.answer), sharedServer: true };
    if (res.authoritative) throw new DelegationError(`${parent} does not delegate ${name}: its server ${server} answered ${rcode} with no NS for ${name}`);
    failures.push(`${server}: ${rcode}, not authoritative for ${parent}`);
  }
  throw new DelegationError(`no server of ${parent} answered for its delegation of ${name} (${failures.join("; ")})`);
}
