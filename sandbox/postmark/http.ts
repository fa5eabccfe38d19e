/** HTTP plumbing of the Postmark sandbox: bodies, JSON answers, loopback-only peers. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { SandboxError } from "./state";

export function parseJson(raw: string): unknown {
  if (!raw.trim()) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw new SandboxError(422, 402, "Invalid JSON.");
  }
}

export function requireJsonObject(raw: string): Record<string, unknown> {
  const v = parseJson(raw);
  if (v === undefined) return {};
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new SandboxError(422, 403, "Incompatible JSON: a JSON object is required.");
  return v as Record<string, unknown>;
}

export function readBody(req: IncomingMessage): Promise<string> {
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

export function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed) return;
  const text = JSON.stringify(body ?? {});
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

export function isLoopback(addr: string): boolean {
  return addr === "127.0.0.1" || addr === "::1" || addr === "::ffff:127.0.0.1" || addr.startsWith("127.");
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
