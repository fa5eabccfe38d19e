/**
 * The Postmark sandbox HTTP server: Postmark's Account API for domains and servers (same paths,
 * `X-Postmark-Account-Token`, JSON field names, status codes and ErrorCodes) plus an admin API under
 * `/__sandbox/…` for tests (DNS records, faults, seeding, reset, state dump, request log).
 * Binds 127.0.0.1 only.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { randomUUID, timingSafeEqual } from "node:crypto";
import { CombinedDns, DeclaredDns, DeclaredRecord, DnsRecordType, ResolverDns } from "./dns";
import { ActiveFault, FaultBook, FaultSpec } from "./faults";
import { SandboxAccount, SandboxError } from "./state";
import { SandboxAdmin } from "./admin";
import type { RequestLogEntry } from "./request-log";

export type { RequestLogEntry } from "./request-log";

export interface SandboxOptions {
  /** 0 (default) = an ephemeral port. */
  port?: number;
  /** The account token it accepts; default a fresh random UUID. */
  accountToken?: string;
  /** JSON file the state is loaded from and written to (atomically, after each change). */
  statePath?: string;
  /** `ip:port` of a real DNS server to verify against (declared records still win). */
  dnsResolver?: string;
  dkimBits?: 1024 | 2048;
  /** verifyDkim answers still pending until this many calls (default 2, like Postmark's async check). */
  dkimVerifyAfterCalls?: number;
  /** One line per request (method, path, status: never a token). */
  log?: (line: string) => void;
}

export interface RunningSandbox {
  url: string;
  accountToken: string;
  admin: SandboxAdmin;
  close(): Promise<void>;
}

export const LIST_MAX_COUNT = 500;

class HttpFailure extends SandboxError {}

export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const accountToken = options.accountToken ?? randomUUID();
  const account = new SandboxAccount({ dkimBits: options.dkimBits, dkimVerifyAfterCalls: options.dkimVerifyAfterCalls, statePath: options.statePath });
  const declared = new DeclaredDns(account.load());
  account.dnsSnapshot = () => declared.list();
  const dns = new CombinedDns(declared, options.dnsResolver ? new ResolverDns(options.dnsResolver) : undefined);
  const faults = new FaultBook();
  const requestLog: RequestLogEntry[] = [];
  const sockets = new Set<Socket>();
  const tokenBuf = Buffer.from(accountToken);

  const tokenOk = (req: IncomingMessage): boolean => {
    const h = req.headers["x-postmark-account-token"];
    if (typeof h !== "string") return false;
    const b = Buffer.from(h);
    return b.length === tokenBuf.length && timingSafeEqual(b, tokenBuf);
  };

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => {
      if (!res.headersSent && !res.destroyed) send(res, 500, { ErrorCode: 0, Message: `Sandbox internal error: ${e instanceof Error ? e.message : String(e)}` });
    });
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const path = url.pathname;
    const raw = await readBody(req);
    const remote = req.socket.remoteAddress ?? "";
    if (!isLoopback(remote)) {
      req.socket.destroy();
      return;
    }
    const isAdmin = path.startsWith("/__sandbox/") || path === "/__sandbox";
    const finish = (status: number, body: unknown, fault?: string) => {
      // The request log is about the Postmark API only: admin calls would drown what tests count.
      if (!isAdmin) requestLog.push({ method, path, status, ...(fault ? { fault } : {}) });
      options.log?.(`${method} ${path} ${status}${fault ? ` (fault ${fault})` : ""}`);
      send(res, status, body);
    };

    if (isAdmin) {
      try {
        finish(200, await adminRoute(method, path, parseJson(raw), url.searchParams));
      } catch (e) {
        const err = e instanceof SandboxError ? e : new SandboxError(400, 0, e instanceof Error ? e.message : String(e));
        finish(err.status, { ErrorCode: err.errorCode, Message: err.message });
      }
      return;
    }

    const fault = faults.take(method, path);
    const faultName = fault ? describeFault(fault) : undefined;
    if (fault && fault.phase === "before") {
      if (fault.kind === "delay") await sleep(fault.delayMs ?? 0);
      else return applyFault(fault, res, () => requestLog.push({ method, path, status: fault.status ?? 0, fault: faultName }));
    }

    let status = 200;
    let body: unknown;
    try {
      if (!tokenOk(req)) throw new SandboxError(401, 10, "Request does not contain a valid Account token. Provide the X-Postmark-Account-Token header.");
      body = await apiRoute(method, path, raw, url.searchParams);
    } catch (e) {
      const err = e instanceof SandboxError ? e : new SandboxError(500, 0, `Sandbox internal error: ${e instanceof Error ? e.message : String(e)}`);
      status = err.status;
      body = { ErrorCode: err.errorCode, Message: err.message };
    }

    if (fault && fault.phase === "after") {
      // The request WAS processed; the caller just cannot tell (the ambiguous case).
      if (fault.kind === "delay") await sleep(fault.delayMs ?? 0);
      else return applyFault(fault, res, () => requestLog.push({ method, path, status: fault.status ?? 0, fault: faultName }));
    }
    if (res.destroyed || req.socket.destroyed) {
      requestLog.push({ method, path, status: 0, fault: faultName ?? "client gone" });
      return;
    }
    finish(status, body, faultName);
  }

  function applyFault(f: ActiveFault, res: ServerResponse, record: () => void): void {
    record();
    options.log?.(`fault ${describeFault(f)}`);
    if (f.kind === "drop") {
      res.socket?.destroy();
      return;
    }
    const message = f.status === 429 ? "Rate limit exceeded (sandbox fault)." : `Sandbox injected HTTP ${f.status}.`;
    send(res, f.status ?? 503, { ErrorCode: f.errorCode ?? 0, Message: message });
  }

  async function apiRoute(method: string, path: string, raw: string, q: URLSearchParams): Promise<unknown> {
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
          return account.listServers(count, offset, q.get("name") ?? undefined);
        }
        if (method === "POST") return account.createServer(body());
      } else if (seg.length === 2) {
        const id = parseId(seg[1], 601, "Server");
        if (method === "GET") return account.getServer(id);
        if (method === "PUT") return account.editServer(id, body());
        if (method === "DELETE") return account.deleteServer(id);
      }
    }
    throw new HttpFailure(404, 0, `No route for ${method} ${path} in the Postmark sandbox (domains and servers only).`);
  }

  async function adminRoute(method: string, path: string, body: unknown, q: URLSearchParams): Promise<unknown> {
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

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address();
  if (!addr || typeof addr === "string") throw new Error("sandbox: no TCP address after listen");
  const url = `http://127.0.0.1:${addr.port}`;

  let closed = false;
  return {
    url,
    accountToken,
    admin: new SandboxAdmin(url),
    async close() {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}

function describeFault(f: ActiveFault): string {
  const scope = `${f.method ?? "*"} ${f.pathPrefix ?? "*"}`;
  if (f.kind === "status") return `status ${f.status} ${f.phase} [${scope}]`;
  if (f.kind === "delay") return `delay ${f.delayMs}ms ${f.phase} [${scope}]`;
  return `drop ${f.phase} [${scope}]`;
}

function checkRecord(r: unknown): DeclaredRecord {
  const o = (r ?? {}) as Record<string, unknown>;
  if (o.type !== "TXT" && o.type !== "CNAME") throw new SandboxError(400, 0, `DNS record type must be TXT or CNAME, got ${JSON.stringify(o.type)}`);
  if (typeof o.name !== "string" || !o.name) throw new SandboxError(400, 0, "DNS record name is required");
  if (typeof o.value !== "string" || !o.value) throw new SandboxError(400, 0, `DNS record value is required for ${o.name}`);
  return { type: o.type, name: o.name, value: o.value };
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

function parseJson(raw: string): unknown {
  if (!raw.trim()) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw new SandboxError(422, 402, "Invalid JSON.");
  }
}

function requireJsonObject(raw: string): Record<string, unknown> {
  const v = parseJson(raw);
  if (v === undefined) return {};
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new SandboxError(422, 403, "Incompatible JSON: a JSON object is required.");
  return v as Record<string, unknown>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > 1_000_000) {
        req.destroy();
        reject(new Error("request body over 1 MB"));
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed) return;
  const text = JSON.stringify(body ?? {});
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

function isLoopback(addr: string): boolean {
  return addr === "127.0.0.1" || addr === "::1" || addr === "::ffff:127.0.0.1" || addr.startsWith("127.");
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
