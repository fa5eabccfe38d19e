/** The sandbox's own admin API under `/__sandbox/…`: state, DNS records, faults, seeding, reset, request log. */
import type { DeclaredDns, DeclaredRecord, DnsRecordType } from "./dns";
import type { FaultBook, FaultSpec } from "./faults";
import type { RequestLogEntry } from "./request-log";
import { SandboxAccount, SandboxError } from "./state";

/** What the admin routes act on: the one sandbox's account, declared DNS, faults and request log. */
export interface SandboxParts {
  readonly account: SandboxAccount;
  readonly declared: DeclaredDns;
  readonly faults: FaultBook;
  readonly requestLog: RequestLogEntry[];
}

export async function adminRoute(s: SandboxParts, method: string, path: string, body: unknown, q: URLSearchParams): Promise<unknown> {
  const { account, declared, faults, requestLog } = s;
  const what = path.replace(/^\/__sandbox\/?/, "");
  const b = (body ?? {}) as Record<string, unknown>;
  switch (`${method} ${what}`) {
    case "GET state":
      return account.snapshot();
    case "GET health":
      return { ok: true, ...account.counts() };
    case "POST reset":
      account.reset();
      declared.clear();
      faults.clear();
      requestLog.length = 0;
      account.persist();
      return { ok: true };
    case "GET dns":
      return { records: declared.list() };
    case "POST dns": {
      const records = Array.isArray(b.records) ? (b.records as unknown[]) : [b];
      for (const r of records) declared.add(checkRecord(r));
      account.persist();
      return { records: declared.list() };
    }
    case "DELETE dns": {
      const type = (b.type ?? q.get("type")) as DnsRecordType;
      const name = (b.name ?? q.get("name")) as string;
      if (type !== "TXT" && type !== "CNAME") throw new SandboxError(400, 0, `DNS record type must be TXT or CNAME, got ${JSON.stringify(type)}`);
      if (typeof name !== "string" || !name) throw new SandboxError(400, 0, "DNS record name is required");
      const removed = declared.remove(type, name, typeof b.value === "string" ? b.value : undefined);
      account.persist();
      return { removed };
    }
    case "GET faults":
      return { faults: faults.list() };
    case "POST faults":
      return { fault: faults.add(b as unknown as FaultSpec) };
    case "DELETE faults":
      faults.clear();
      return { ok: true };
    case "POST seed": {
      const n = b.domains;
      if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > 100_000) throw new SandboxError(400, 0, `seed: "domains" must be an integer 0..100000, got ${JSON.stringify(n)}`);
      return account.seedDomains(n, typeof b.prefix === "string" ? b.prefix : undefined, typeof b.zone === "string" ? b.zone : undefined);
    }
    case "GET requests":
      return { requests: [...requestLog] };
    case "DELETE requests":
      requestLog.length = 0;
      return { ok: true };
  }
  throw new SandboxError(404, 0, `Unknown sandbox admin route ${method} ${path}`);
}

function checkRecord(r: unknown): DeclaredRecord {
  const o = (r ?? {}) as Record<string, unknown>;
  if (o.type !== "TXT" && o.type !== "CNAME") throw new SandboxError(400, 0, `DNS record type must be TXT or CNAME, got ${JSON.stringify(o.type)}`);
  if (typeof o.name !== "string" || !o.name) throw new SandboxError(400, 0, "DNS record name is required");
  if (typeof o.value !== "string" || !o.value) throw new SandboxError(400, 0, `DNS record value is required for ${o.name}`);
  return { type: o.type, name: o.name, value: o.value };
}
