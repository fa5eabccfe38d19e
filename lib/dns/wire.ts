/**
 * One non-recursive DNS query over UDP, answer and authority sections read — what Node's
 * resolver cannot do. The NS delegation check needs it: a parent zone's delegation of a child
 * lives only in the parent's referral (authority section, AA=0); a recursive lookup of the
 * child's NS returns the child's own apex records and cannot tell a missing delegation apart
 * from a cached one.
 */
import * as dgram from "node:dgram";
import { randomInt } from "node:crypto";

export const TYPE_NS = 2;
const CLASS_IN = 1;
const FLAG_AA = 0x0400;
const FLAG_TC = 0x0200;
const FLAG_QR = 0x8000;

export const RCODE_NAMES: Record<number, string> = { 0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED" };

export interface DnsRecord {
  readonly name: string;
  readonly type: number;
  /** NS: the target name, lower case, no trailing dot; other types: empty (not needed). */
  readonly data: string;
}

export interface DnsResponse {
  readonly rcode: number;
  readonly authoritative: boolean;
  readonly answer: DnsRecord[];
  readonly authority: DnsRecord[];
}

/** `127.0.0.1:5353`, `10.0.0.2` (port 53), `[::1]:53` → host and port. */
export function parseServer(server: string): { host: string; port: number; family: "udp4" | "udp6" } {
  const v6 = /^\[([0-9a-fA-F:]+)\](?::(\d{1,5}))?$/.exec(server);
  if (v6) return { host: v6[1], port: Number(v6[2] ?? 53), family: "udp6" };
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3})(?::(\d{1,5}))?$/.exec(server);
  if (v4) return { host: v4[1], port: Number(v4[2] ?? 53), family: "udp4" };
  throw new Error(`"${server}": expected <ip>:<port> or <ip> (e.g. 127.0.0.1:5353)`);
}

export function encodeQuery(id: number, name: string, type: number): Buffer {
  const labels = name.replace(/\.$/, "").split(".").filter(Boolean);
  const parts: Buffer[] = [Buffer.from([id >> 8, id & 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0])]; // RD=0, one question
  for (const l of labels) {
    const b = Buffer.from(l, "ascii");
    if (b.length > 63) throw new Error(`DNS label "${l}" is longer than 63 bytes`);
    parts.push(Buffer.from([b.length]), b);
  }
  parts.push(Buffer.from([0, type >> 8, type & 0xff, 0, CLASS_IN]));
  return Buffer.concat(parts);
}

/** A possibly compressed name at `offset` → [name, offset after it in the original stream]. */
function readName(msg: Buffer, offset: number): [string, number] {
  const labels: string[] = [];
  let pos = offset;
  let end = -1;
  for (let hops = 0; hops < 64; hops++) {
    if (pos >= msg.length) throw new Error("DNS answer truncated inside a name");
    const len = msg[pos];
    if ((len & 0xc0) === 0xc0) {
      if (end < 0) end = pos + 2;
      pos = ((len & 0x3f) << 8) | msg[pos + 1];
      continue;
    }
    if (len === 0) return [labels.join(".").toLowerCase(), end < 0 ? pos + 1 : end];
    labels.push(msg.toString("ascii", pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
  throw new Error("DNS answer has a compression loop");
}

export function decodeResponse(msg: Buffer, id: number): DnsResponse {
  if (msg.length < 12) throw new Error("DNS answer shorter than its header");
  if (msg.readUInt16BE(0) !== id) throw new Error("DNS answer for another query (id mismatch)");
  const flags = msg.readUInt16BE(2);
  if (!(flags & FLAG_QR)) throw new Error("DNS message is not an answer");
  if (flags & FLAG_TC) throw new Error("DNS answer truncated (TC): too many name servers for UDP");
  const [qd, an, ns] = [msg.readUInt16BE(4), msg.readUInt16BE(6), msg.readUInt16BE(8)];
  let pos = 12;
  for (let i = 0; i < qd; i++) pos = readName(msg, pos)[1] + 4;
  const section = (count: number): DnsRecord[] => {
    const out: DnsRecord[] = [];
    for (let i = 0; i < count; i++) {
      const [name, after] = readName(msg, pos);
      const type = msg.readUInt16BE(after);
      const rdlength = msg.readUInt16BE(after + 8);
      const rdata = after + 10;
      if (rdata + rdlength > msg.length) throw new Error("DNS answer truncated inside a record");
      out.push({ name, type, data: type === TYPE_NS ? readName(msg, rdata)[0] : "" });
      pos = rdata + rdlength;
    }
    return out;
  };
  const answer = section(an);
  const authority = section(ns);
  return { rcode: flags & 0x0f, authoritative: (flags & FLAG_AA) !== 0, answer, authority };
}

/** Ask `server` (`ip[:port]`) for `name`/`type` without recursion. Retries on timeout. */
export async function queryNoRecursion(server: string, name: string, type: number, opts: { timeoutMs?: number; tries?: number } = {}): Promise<DnsResponse> {
  const { host, port, family } = parseServer(server);
  const tries = Math.max(1, opts.tries ?? 2);
  let lastError = new Error("no answer");
  for (let attempt = 1; attempt <= tries; attempt++) {
    const id = randomInt(0, 0x10000);
    const query = encodeQuery(id, name, type);
    try {
      return await new Promise<DnsResponse>((resolve, reject) => {
        const socket = dgram.createSocket(family);
        const done = (f: () => void): void => {
          clearTimeout(timer);
          socket.close();
          f();
        };
        const timer = setTimeout(() => done(() => reject(Object.assign(new Error(`no answer from ${server} within ${opts.timeoutMs ?? 2000} ms`), { code: "ETIMEOUT" }))), opts.timeoutMs ?? 2000);
        socket.on("error", (e) => done(() => reject(e)));
        socket.on("message", (msg) => {
          // A stray datagram for another id is ignored; the timer still bounds the wait.
          if (msg.length >= 2 && msg.readUInt16BE(0) !== id) return;
          try {
            const r = decodeResponse(msg, id);
            done(() => resolve(r));
          } catch (e) {
            done(() => reject(e));
          }
        });
        socket.send(query, port, host, (e) => e && done(() => reject(e)));
      });
    } catch (e) {
      lastError = e as Error;
      if ((e as NodeJS.ErrnoException).code !== "ETIMEOUT") break;
    }
  }
  throw lastError;
}
