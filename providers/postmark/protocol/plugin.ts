/**
 * go-plugin's side of a Terraform provider process: check that Terraform started us, serve gRPC on
 * loopback (AutoMTLS when Terraform asks for it), print the one handshake line on stdout, and go
 * away when Terraform says so (GRPCController/Shutdown) or when Terraform itself is gone.
 */
import type * as grpcT from "@grpc/grpc-js";
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
  const grpc = require("@grpc/grpc-js") as typeof grpcT;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { providerHandlers, providerServiceDefinition, controllerServiceDefinition, unary } = require("./server") as typeof import("./server");

  const server = new grpc.Server({ "grpc.max_receive_message_length": 256 * 1024 * 1024, "grpc.max_send_message_length": 256 * 1024 * 1024 });
  let stopping = false;
  const exit = (code: number): void => {
    if (stopping) return;
    stopping = true;
    // Let the Shutdown answer itself reach Terraform, then go; never linger more than 500 ms.
    setTimeout(() => process.exit(code), 500).unref();
    server.tryShutdown(() => process.exit(code));
  };
  server.addService(providerServiceDefinition(), unary(providerHandlers(provider, () => undefined), log));
  server.addService(
    controllerServiceDefinition(),
    unary({ Shutdown: () => (setImmediate(() => exit(0)), {}) }, log),
  );

  let credentials: grpcT.ServerCredentials;
  let cert = "";
  const clientCert = env.PLUGIN_CLIENT_CERT;
  if (clientCert) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { selfSignedIdentity } = require("./tls") as typeof import("./tls");
    const id = selfSignedIdentity();
    cert = id.handshakeCert;
    credentials = grpc.ServerCredentials.createSsl(Buffer.from(clientCert), [{ private_key: Buffer.from(id.keyPem), cert_chain: Buffer.from(id.certPem) }], true);
  } else {
    credentials = grpc.ServerCredentials.createInsecure();
  }

  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", credentials, (err, p) => (err ? reject(err) : resolve(p))),
  );
  process.stdout.write(`${CORE_PROTOCOL_VERSION}|${PROTOCOL_VERSION}|tcp|127.0.0.1:${port}|grpc|${cert}\n`);

  // If Terraform dies without calling Shutdown we are re-parented: exit instead of lingering.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) exit(0);
  }, 500).unref();
  // The gRPC server keeps the event loop alive until Shutdown.
}
