/**
 * A minimal gRPC server (unary calls only) on node:http2 — all Terraform ever asks of a provider.
 * Loading @grpc/grpc-js costs ~30 ms of every provider start-up, and Terraform starts the provider
 * several times per command; the wire format for unary calls is small enough to speak directly:
 *   request/response body = 1 byte "compressed" flag (0) + 4 bytes big-endian length + protobuf;
 *   response headers `:status 200`, `content-type: application/grpc`, trailers `grpc-status`.
 * Unknown methods (go-plugin's broker and stdio streams, RPCs we do not serve) answer
 * UNIMPLEMENTED, which go-plugin and Terraform tolerate.
 */
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";

export interface UnaryMethod {
  decode(bytes: Buffer): unknown;
  encode(value: unknown): Buffer;
  handle(request: unknown): Promise<unknown> | unknown;
}

export const GrpcStatus = { OK: 0, INTERNAL: 13, UNIMPLEMENTED: 12, INVALID_ARGUMENT: 3 } as const;

export interface TlsIdentity {
  keyPem: string;
  certPem: string;
  /** PEM of the one client certificate accepted (go-plugin AutoMTLS). */
  clientCertPem: string;
}

export interface GrpcServer {
  readonly port: number;
  /** Stop accepting, close sessions. */
  close(): void;
}

function frame(message: Buffer): Buffer {
  const out = Buffer.allocUnsafe(5 + message.length);
  out[0] = 0;
  out.writeUInt32BE(message.length, 1);
  message.copy(out, 5);
  return out;
}

function fail(stream: http2.ServerHttp2Stream, status: number, message: string): void {
  if (stream.destroyed || stream.headersSent) return;
  // "Trailers-only" response: the status travels in the headers of an empty response.
  stream.respond({ ":status": 200, "content-type": "application/grpc", "grpc-status": String(status), "grpc-message": encodeURIComponent(message) }, { endStream: true });
}

export function serveGrpc(methods: ReadonlyMap<string, UnaryMethod>, tls: TlsIdentity | undefined, log: (m: string) => void): Promise<GrpcServer> {
  const server = tls ? http2.createSecureServer({ key: tls.keyPem, cert: tls.certPem, ca: tls.clientCertPem, requestCert: true, rejectUnauthorized: true, allowHTTP1: false }) : http2.createServer();
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (s: http2.ServerHttp2Session) => {
    sessions.add(s);
    s.on("close", () => sessions.delete(s));
    s.on("error", () => undefined);
  });
  server.on("stream", (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
    stream.on("error", () => undefined);
    const path = String(headers[":path"] ?? "");
    const method = methods.get(path);
    if (!method) {
      fail(stream, GrpcStatus.UNIMPLEMENTED, `unknown method ${path}`);
      return;
    }
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => {
      const body = Buffer.concat(chunks);
      if (body.length < 5 || body[0] !== 0 || body.readUInt32BE(1) !== body.length - 5) {
        fail(stream, GrpcStatus.INVALID_ARGUMENT, "expected exactly one uncompressed gRPC message");
        return;
      }
      Promise.resolve()
        .then(() => method.handle(method.decode(body.subarray(5))))
        .then(
          (res) => {
            if (stream.destroyed) return;
            stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
            stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
            stream.end(frame(method.encode(res)));
          },
          (e: unknown) => {
            log(`${path} failed: ${e instanceof Error ? e.message : String(e)}`);
            fail(stream, GrpcStatus.INTERNAL, `${path} failed`);
          },
        );
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => {
          server.close();
          for (const s of sessions) s.close();
        },
      });
    });
  });
}
