/**
 * The Postmark sandbox HTTP server: Postmark's Account API for domains and servers (same paths,
 * `X-Postmark-Account-Token`, JSON field names, status codes and ErrorCodes) plus an admin API under
 * `/__sandbox/…` for tests (DNS records, faults, seeding, reset, state dump, request log).
 * Binds 127.0.0.1 only.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { randomUUID, timingSafeEqual } from "node:crypto";
import { SandboxAdmin } from "./admin";
import { adminRoute } from "./admin-routes";
import { postmarkApiRoute } from "./api-routes";
import { CombinedDns, DeclaredDns, ResolverDns } from "./dns";
import { applyFault, describeFault } from "./fault-answer";
import { FaultBook } from "./faults";
import { isLoopback, parseJson, readBody, send, sleep } from "./http";
import { SandboxAccount, SandboxError } from "./state";
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

export { LIST_MAX_COUNT } from "./api-routes";

export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const accountToken = options.accountToken ?? randomUUID();
  const account = new SandboxAccount({ dkimBits: options.dkimBits, dkimVerifyAfterCalls: options.dkimVerifyAfterCalls, statePath: options.statePath });
  const declared = new DeclaredDns(account.load());
  account.dnsSnapshot = () => declared.list();
  const dns = new CombinedDns(declared, options.dnsResolver ? new ResolverDns(options.dnsResolver) : undefined);
  const faults = new FaultBook();
  const requestLog: RequestLogEntry[] = [];
  const parts = { account, declared, faults, requestLog };
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
        finish(200, await adminRoute(parts, method, path, parseJson(raw), url.searchParams));
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
      else return applyFault(fault, res, () => requestLog.push({ method, path, status: fault.status ?? 0, fault: faultName }), options.log);
    }

    let status = 200;
    let body: unknown;
    try {
      if (!tokenOk(req)) throw new SandboxError(401, 10, "Request does not contain a valid Account token. Provide the X-Postmark-Account-Token header.");
      body = await postmarkApiRoute(account, dns, method, path, raw, url.searchParams);
    } catch (e) {
      const err = e instanceof SandboxError ? e : new SandboxError(500, 0, `Sandbox internal error: ${e instanceof Error ? e.message : String(e)}`);
      status = err.status;
      body = { ErrorCode: err.errorCode, Message: err.message };
    }

    if (fault && fault.phase === "after") {
      // The request WAS processed; the caller just cannot tell (the ambiguous case).
      if (fault.kind === "delay") await sleep(fault.delayMs ?? 0);
      else return applyFault(fault, res, () => requestLog.push({ method, path, status: fault.status ?? 0, fault: faultName }), options.log);
    }
    if (res.destroyed || req.socket.destroyed) {
      requestLog.push({ method, path, status: 0, fault: faultName ?? "client gone" });
      return;
    }
    finish(status, body, faultName);
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
