/** The Postmark Account API routes the sandbox answers: domains and servers (same paths and errors as Postmark). */
import { requireJsonObject } from "./http";
import { SandboxAccount, SandboxError } from "./state";

/** Postmark's largest page. */
export const LIST_MAX_COUNT = 500;

type DnsCheck = Parameters<SandboxAccount["verifyDkim"]>[1];

export async function postmarkApiRoute(account: SandboxAccount, dns: DnsCheck, method: string, path: string, raw: string, q: URLSearchParams): Promise<unknown> {
  const seg = path.split("/").filter(Boolean);
  const body = () => requireJsonObject(raw);
  if (seg[0] === "domains") {
    if (seg.length === 1) {
      if (method === "GET") {
        const { count, offset } = paging(q);
        return account.listDomains(count, offset);
      }
      if (method === "POST") return account.createDomain(body());
    } else {
      const id = parseId(seg[1], 510, "Domain");
      if (seg.length === 2) {
        if (method === "GET") return account.getDomain(id);
        if (method === "PUT") return account.editDomain(id, body());
        if (method === "DELETE") return account.deleteDomain(id);
      }
      if (seg.length === 3) {
        const action = seg[2].toLowerCase();
        if (action === "verifydkim" && method === "PUT") return account.verifyDkim(id, dns);
        if (action === "verifyreturnpath" && method === "PUT") return account.verifyReturnPath(id, dns);
        if (action === "rotatedkim" && method === "POST") return account.rotateDkim(id);
      }
    }
  }
  if (seg[0] === "servers") {
    if (seg.length === 1) {
      if (method === "GET") {
        const { count, offset } = paging(q);
        return account.servers.list(count, offset, q.get("name") ?? undefined);
      }
      if (method === "POST") return account.servers.create(body());
    } else if (seg.length === 2) {
      const id = parseId(seg[1], 601, "Server");
      if (method === "GET") return account.servers.get(id);
      if (method === "PUT") return account.servers.edit(id, body());
      if (method === "DELETE") return account.servers.delete(id);
    }
  }
  throw new SandboxError(404, 0, `No route for ${method} ${path} in the Postmark sandbox (domains and servers only).`);
}

/** Postmark requires both `count` and `offset` on list endpoints; count ≤ 500. */
function paging(q: URLSearchParams): { count: number; offset: number } {
  const c = q.get("count");
  const o = q.get("offset");
  if (c === null || o === null) throw new SandboxError(422, 511, "Invalid fields: both 'count' and 'offset' query parameters are required.");
  const count = Number(c);
  const offset = Number(o);
  if (!Number.isInteger(count) || count < 1 || count > LIST_MAX_COUNT) throw new SandboxError(422, 511, `Invalid 'count' value ${JSON.stringify(c)}: must be 1..${LIST_MAX_COUNT}.`);
  if (!Number.isInteger(offset) || offset < 0) throw new SandboxError(422, 511, `Invalid 'offset' value ${JSON.stringify(o)}: must be ≥ 0.`);
  return { count, offset };
}

function parseId(s: string, notFoundCode: number, what: string): number {
  const id = Number(s);
  if (!/^\d+$/.test(s) || !Number.isSafeInteger(id)) throw new SandboxError(422, notFoundCode, `${what} with ID ${s} not found.`);
  return id;
}
