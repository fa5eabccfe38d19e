/**
 * go-plugin's side of a Terraform provider process: check that Terraform started us, serve gRPC on
 * loopback (AutoMTLS when Terraform asks for it), print the one handshake line on stdout, and go
 * away when Terraform says so (GRPCController/Shutdown) or when Terraform itself is gone.
 */
import type { ProviderType } from "./provider-api";

/** Terraform's plugin handshake cookie (public, fixed by Terraform; not a secret). */
export const MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE";
export const MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
export const PROTOCOL_VERSION = 6;
const CORE_PROTOCOL_VERSION = 1;

export function log(message: string): void {
  // stderr only: go-plugin reads stdout for the handshake and forwards stderr to Terraform's log.
  process.stderr.write(`[postmark-provider] ${message}\n`);
}

/** Why this process must not serve (not started by Terraform, or no common protocol), or undefined. */
export function handshakeProblem(env: NodeJS.ProcessEnv): string | undefined {
  if (env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    return "This binary is a plugin. These are not meant to be executed directly.\nIt is the Terraform provider registry.terraform.io/arda-cards/postmark: Terraform starts it.";
  }
  const versions = (env.PLUGIN_PROTOCOL_VERSIONS ?? "").split(",").map((v) => Number(v.trim()));
  if (!versions.includes(PROTOCOL_VERSION)) {
    return `Terraform offered plugin protocol versions "${env.PLUGIN_PROTOCOL_VERSIONS ?? ""}"; this provider speaks only ${PROTOCOL_VERSION}.`;
  }
  return undefined;
}

export async function servePlugin(provider: ProviderType, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const problem = handshakeProblem(env);
  if (problem) {
    process.stderr.write(`${problem}\n`);
    process.exit(1);
  }
  // Terraform decides when we stop: a Ctrl-C reaches the whole process group, ignore it.
  process.on("SIGINT", () => undefined);

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { providerHandlers, providerMethods, controllerMethods } = require("./server") as typeof import("./server");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { serveGrpc } = require("./grpc-h2") as typeof import("./grpc-h2");

  let stopping = false;
  // eslint-disable-next-line prefer-const -- assigned once the gRPC server is up; exit() may run before
  let server: { close(): void } | undefined;
  const exit = (code: number): void => {
    if (stopping) return;
    stopping = true;
    server?.close();
    process.exit(code);
  };
  const methods = new Map([
    ...providerMethods(providerHandlers(provider, () => undefined)),
    // Answer Shutdown first, then go: a short grace lets the answer reach Terraform.
    ...controllerMethods(() => void setTimeout(() => exit(0), 50)),
  ]);

  let cert = "";
  let tls: { keyPem: string; certPem: string; clientCertPem: string } | undefined;
  const clientCert = env.PLUGIN_CLIENT_CERT;
  if (clientCert) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { selfSignedIdentity } = require("./tls") as typeof import("./tls");
    const id = selfSignedIdentity();
    cert = id.handshakeCert;
    tls = { keyPem: id.keyPem, certPem: id.certPem, clientCertPem: clientCert };
  }
  const grpcServer = await serveGrpc(methods, tls, log);
  server = grpcServer;
  process.stdout.write(`${CORE_PROTOCOL_VERSION}|${PROTOCOL_VERSION}|tcp|127.0.0.1:${grpcServer.port}|grpc|${cert}\n`);

  // If Terraform dies without calling Shutdown we are re-parented: exit instead of lingering.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) exit(0);
  }, 500).unref();
  // The listening server keeps the event loop alive until Shutdown.
}
