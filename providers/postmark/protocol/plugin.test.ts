/**
 * The built provider executable as Terraform sees it: refusal when not started by Terraform, the
 * handshake line, AutoMTLS (an independent gRPC implementation, @grpc/grpc-js, as the client,
 * presenting the client certificate), SIGINT ignored, and GRPCController/Shutdown ending the process.
 */
import * as grpc from "@grpc/grpc-js";
import { ChildProcessWithoutNullStreams, execFileSync, spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../../../platform/load";
import { tfplugin6Root } from "./descriptor";
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE } from "./plugin";
import { selfSignedIdentity } from "./tls";

const EXE = path.join(REPO_ROOT, "build/terraform-mirror/registry.terraform.io/arda-cards/postmark/0.1.0/linux_amd64/terraform-provider-postmark_v0.1.0");

beforeAll(() => {
  if (!fs.existsSync(EXE)) execFileSync(process.execPath, [path.join(REPO_ROOT, "scripts/build-provider.mjs")], { stdio: "ignore" });
});

function start(env: NodeJS.ProcessEnv): ChildProcessWithoutNullStreams {
  return spawn(EXE, [], { env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["pipe", "pipe", "pipe"] });
}

function finish(child: ChildProcessWithoutNullStreams): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

function firstLine(child: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      if (out.includes("\n")) resolve(out);
    });
    child.on("exit", (code) => reject(new Error(`exited ${code} before the handshake`)));
  });
}

describe("provider process", () => {
  test("started by hand (no magic cookie): refuses with a clear message on stderr, nothing on stdout", async () => {
    const r = await finish(start({}));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("This binary is a plugin. These are not meant to be executed directly.");
  });

  test("offered only protocol 5: refuses, naming what it speaks", async () => {
    const r = await finish(start({ [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: "5" }));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain('Terraform offered plugin protocol versions "5"; this provider speaks only 6.');
  });

  test("handshake, mTLS gRPC, SIGINT ignored, Shutdown exits", async () => {
    const clientId = selfSignedIdentity();
    const child = start({ [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: "5,6", PLUGIN_CLIENT_CERT: clientId.certPem });
    const done = finish(child);
    const out = await firstLine(child);
    expect(out).toMatch(/^1\|6\|tcp\|127\.0\.0\.1:\d+\|grpc\|[A-Za-z0-9+/]+\n$/);
    const [, , , addr, , certB64] = out.trim().split("|");
    const serverCert = new crypto.X509Certificate(Buffer.from(certB64, "base64"));
    expect(serverCert.subjectAltName).toBe("DNS:localhost");

    const creds = grpc.credentials.createSsl(Buffer.from(serverCert.toString()), Buffer.from(clientId.keyPem), Buffer.from(clientId.certPem));
    const client = new grpc.Client(addr, creds, { "grpc.ssl_target_name_override": "localhost" });
    const root = tfplugin6Root();
    const Req = root.lookupType("tfplugin6.GetProviderSchema.Request");
    const Res = root.lookupType("tfplugin6.GetProviderSchema.Response");
    const schema = await new Promise<Record<string, unknown>>((resolve, reject) =>
      client.makeUnaryRequest(
        "/tfplugin6.Provider/GetProviderSchema",
        (v: object) => Buffer.from(Req.encode(Req.fromObject(v)).finish()),
        (b: Buffer) => Res.toObject(Res.decode(b)),
        {},
        (err, value) => (err ? reject(err) : resolve(value as Record<string, unknown>)),
      ),
    );
    expect(Object.keys(schema.resource_schemas as object).sort()).toEqual(["postmark_domain", "postmark_domain_verification"]);
    expect(Object.keys(schema.data_source_schemas as object)).toEqual(["postmark_domain"]);

    // RPCs we do not serve (go-plugin's broker/stdio streams, GetFunctions …) answer UNIMPLEMENTED.
    const unimplemented = await new Promise<grpc.ServiceError | null>((resolve) =>
      client.makeUnaryRequest(
        "/tfplugin6.Provider/GetFunctions",
        () => Buffer.alloc(0),
        () => ({}),
        {},
        (e) => resolve(e),
      ),
    );
    expect(unimplemented?.code).toBe(grpc.status.UNIMPLEMENTED);

    child.kill("SIGINT");
    await new Promise((r) => setTimeout(r, 200));
    expect(child.exitCode).toBeNull(); // Terraform decides when we stop

    await new Promise<void>((resolve, reject) =>
      client.makeUnaryRequest(
        "/plugin.GRPCController/Shutdown",
        () => Buffer.alloc(0),
        () => ({}),
        {},
        (err) => (err && err.code !== grpc.status.UNAVAILABLE ? reject(err) : resolve()),
      ),
    );
    client.close();
    const r = await done;
    expect(r.code).toBe(0);
  });

  test("a client without the certificate Terraform announced is refused", async () => {
    const announced = selfSignedIdentity();
    const intruder = selfSignedIdentity();
    const child = start({ [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: "6", PLUGIN_CLIENT_CERT: announced.certPem });
    const out = await firstLine(child);
    const [, , , addr, , certB64] = out.trim().split("|");
    const serverPem = new crypto.X509Certificate(Buffer.from(certB64, "base64")).toString();
    const client = new grpc.Client(addr, grpc.credentials.createSsl(Buffer.from(serverPem), Buffer.from(intruder.keyPem), Buffer.from(intruder.certPem)), {
      "grpc.ssl_target_name_override": "localhost",
    });
    const err = await new Promise<grpc.ServiceError | null>((resolve) =>
      client.makeUnaryRequest(
        "/plugin.GRPCController/Shutdown",
        () => Buffer.alloc(0),
        () => ({}),
        {},
        { deadline: Date.now() + 3000 },
        (e) => resolve(e),
      ),
    );
    client.close();
    expect(err?.code).toBe(grpc.status.UNAVAILABLE);
    expect(child.exitCode).toBeNull(); // not shut down by a stranger
    child.kill("SIGKILL");
  });

  test("exits on its own when Terraform (its parent) dies without calling Shutdown", async () => {
    const env = { PATH: process.env.PATH ?? "", [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: "6", PLUGIN_CLIENT_CERT: selfSignedIdentity().certPem };
    // A shell stands in for Terraform: it starts the provider, reports its pid, then is killed.
    const parent = spawn("sh", ["-c", `"${EXE}" >/dev/null 2>&1 & echo $!; wait`], { env, stdio: ["ignore", "pipe", "ignore"] });
    const pid = await new Promise<number>((resolve) => parent.stdout.once("data", (c: Buffer) => resolve(Number(c.toString().trim()))));
    await new Promise((r) => setTimeout(r, 400)); // let it reach the handshake
    const alive = (): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(alive()).toBe(true);
    parent.kill("SIGKILL");
    const deadline = Date.now() + 3000;
    while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(alive()).toBe(false);
  });
});
