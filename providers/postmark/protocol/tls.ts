/**
 * go-plugin AutoMTLS: the provider serves TLS with a fresh self-signed certificate and sends that
 * certificate (DER, base64 without padding) in the handshake line; Terraform pins it. Go checks the
 * SAN (DNS:localhost), not the CN, and wants key usages a CA-and-leaf cert carries.
 *
 * The certificate is assembled here with a few lines of DER rather than an X.509 library, because
 * it is built on every provider start and start-up time is the thing being optimised.
 */
import * as crypto from "node:crypto";

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
}
const seq = (...c: Buffer[]): Buffer => tlv(0x30, ...c);
const set = (...c: Buffer[]): Buffer => tlv(0x31, ...c);
const octets = (b: Buffer): Buffer => tlv(0x04, b);
const bool = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0]));
function oid(dotted: string): Buffer {
  const p = dotted.split(".").map(Number);
  const out: number[] = [40 * p[0] + p[1]];
  for (const n of p.slice(2)) {
    const chunk: number[] = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}
function integer(b: Buffer): Buffer {
  const body = b[0] & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b;
  return tlv(0x02, body);
}
function utcTime(d: Date): Buffer {
  const p = (n: number): string => String(n).padStart(2, "0");
  const s = `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return tlv(0x17, Buffer.from(s, "ascii"));
}
function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));
}

export interface ServerIdentity {
  readonly certPem: string;
  readonly keyPem: string;
  /** DER base64 without padding, as go-plugin's handshake line carries it. */
  readonly handshakeCert: string;
}

export function selfSignedIdentity(now: Date = new Date()): ServerIdentity {
  const { privateKey, publicKey } = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const ecdsaSha256 = seq(oid("1.2.840.10045.4.3.2"));
  const name = seq(set(seq(oid("2.5.4.3"), tlv(0x0c, Buffer.from("localhost")))), set(seq(oid("2.5.4.10"), tlv(0x0c, Buffer.from("arda-mail")))));
  const serial = crypto.randomBytes(16);
  // Positive and minimal DER: top bit clear (no sign byte needed), next bit set (no leading zero).
  serial[0] = (serial[0] & 0x7f) | 0x40;
  const notBefore = new Date(now.getTime() - 60_000);
  const notAfter = new Date(now.getTime() + 365 * 24 * 3600_000);
  const extensions = seq(
    extension("2.5.29.19", true, seq(bool(true))), // basicConstraints CA:true (self-signed, pinned)
    extension("2.5.29.15", true, tlv(0x03, Buffer.from([0x02, 0xa4]))), // keyUsage digitalSignature, keyEncipherment, keyCertSign
    extension("2.5.29.37", false, seq(oid("1.3.6.1.5.5.7.3.1"), oid("1.3.6.1.5.5.7.3.2"))), // serverAuth, clientAuth
    extension("2.5.29.17", false, seq(tlv(0x82, Buffer.from("localhost")))), // SAN DNS:localhost
  );
  const tbs = seq(
    tlv(0xa0, integer(Buffer.from([2]))),
    integer(serial),
    ecdsaSha256,
    name,
    seq(utcTime(notBefore), utcTime(notAfter)),
    name,
    publicKey.export({ type: "spki", format: "der" }),
    tlv(0xa3, extensions),
  );
  const signature = crypto.sign("sha256", tbs, privateKey);
  const der = seq(tbs, ecdsaSha256, tlv(0x03, Buffer.from([0]), signature));
  const b64 = der.toString("base64");
  const certPem = `-----BEGIN CERTIFICATE-----\n${b64.replace(/(.{64})/g, "$1\n").replace(/\n?$/, "\n")}-----END CERTIFICATE-----\n`;
  return {
    certPem,
    keyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    handshakeCert: b64.replace(/=+$/, ""),
  };
}
