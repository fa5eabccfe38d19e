/**
 * DNS reading for verify and drift: Node's own resolver (c-ares), pointed at `--resolver
 * <ip:port>` or the system's. No shelled-out dig (the operator log's dig went to public
 * resolvers and read cached answers).
 */
import { Resolver } from "node:dns/promises";

export interface DnsReader {
  /** Each TXT record's character-strings joined (a DKIM key split at 255 bytes reads whole). */
  txt(name: string): Promise<string[]>;
  cname(name: string): Promise<string[]>;
  ns(name: string): Promise<string[]>;
  /** Where the answers come from, for messages. */
  readonly source: string;
}

/** What a failed lookup looked like to the operator: `no TXT record (ENOTFOUND)`. */
export class LookupError extends Error {
  constructor(readonly code: string, readonly rrtype: string, name: string) {
    // "No such record" and "the DNS server did not answer" call for different fixes: say which.
    super(NO_RECORD.has(code) ? `no ${rrtype} record at ${name} (${code})` : `${rrtype} query for ${name} failed: ${code} (DNS server unreachable or failing)`);
  }
}

const NO_RECORD = new Set(["ENOTFOUND", "ENODATA", "ENONAME", "NXDOMAIN"]);

function validateAddress(addr: string): string {
  if (!/^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:]+\])(:\d{1,5})?$/.test(addr)) {
    throw new Error(`--resolver "${addr}": expected <ip>:<port> or <ip> (e.g. 127.0.0.1:5353)`);
  }
  return addr;
}

export function dnsReader(resolver?: string, opts: { timeoutMs?: number; tries?: number } = {}): DnsReader {
  const r = new Resolver({ timeout: opts.timeoutMs ?? 2000, tries: opts.tries ?? 2 });
  if (resolver) r.setServers([validateAddress(resolver)]);
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
  };
}
