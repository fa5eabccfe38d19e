/**
 * The provider release (issue 13): `npm run release:provider` with a throwaway GPG key, served by a
 * provider-registry-protocol stand-in over HTTPS on loopback (testing/provider-registry.ts), and
 * installed by the real `terraform init`, whose own checksum and signature checks must pass — and
 * must fail for a tampered zip or a tampered signature.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../platform/load";
import { makeTestCa, startProviderRegistry, TestCa } from "../testing/provider-registry";

const VERSION = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "providers/postmark/package.json"), "utf8")) as { version: string }).version;
const PREFIX = `terraform-provider-postmark_${VERSION}`;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "arda-release-"));
const releaseDir = path.join(tmp, "release");
let ca: TestCa;
let keyId = "";
let secretKey = "";
let released: { code: number; stderr: string };

beforeAll(() => {
  const gnupg = path.join(tmp, "gnupg");
  fs.mkdirSync(gnupg, { mode: 0o700 });
  const gpg = (...args: string[]): string => execFileSync("gpg", ["--homedir", gnupg, "--batch", ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  gpg("--passphrase", "", "--quick-gen-key", "Arda release test <release-test@example.invalid>", "rsa3072", "sign", "1d");
  keyId = gpg("--list-secret-keys", "--with-colons")
    .split("\n")
    .find((l) => l.startsWith("sec:"))!
    .split(":")[4];
  secretKey = gpg("--armor", "--export-secret-keys", keyId);
  ca = makeTestCa(tmp);
  released = release({ ARDA_MAIL_RELEASE_GPG_KEY: secretKey });
}, 120_000);
afterAll(() => {
  // The key generation started a gpg-agent for the throwaway home: stop it.
  spawnSync("gpgconf", ["--homedir", path.join(tmp, "gnupg"), "--kill", "all"], { stdio: "ignore" });
  fs.rmSync(tmp, { recursive: true, force: true });
});

function release(env: NodeJS.ProcessEnv, out = releaseDir): { code: number; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "scripts/release-provider.mjs"), "--out", out], { env: { PATH: process.env.PATH, ...env }, encoding: "utf8" });
  return { code: r.status ?? -1, stderr: r.stderr };
}

/** Asynchronously: the registry stand-in answers from this same process. */
function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (out += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, out }));
  });
}

/** terraform init of a configuration requiring the provider from the registry at `host`. */
function init(host: string, name: string): Promise<{ code: number; out: string }> {
  const dir = path.join(tmp, name);
  const home = path.join(tmp, `${name}-home`);
  fs.mkdirSync(dir);
  fs.mkdirSync(home);
  fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify({ terraform: { required_providers: { postmark: { source: `${host}/arda-cards/postmark`, version: VERSION } } } }));
  const rc = path.join(dir, "cli.rc");
  fs.writeFileSync(rc, "disable_checkpoint = true\nprovider_installation {\n  direct {}\n}\n");
  // Terraform wraps its messages at 78 columns: compare with single spaces.
  return run("terraform", ["init", "-input=false", "-no-color"], dir, { PATH: process.env.PATH, HOME: home, TF_CLI_CONFIG_FILE: rc, SSL_CERT_FILE: ca.caFile, CHECKPOINT_DISABLE: "1" }).then((r) => ({
    code: r.code,
    out: r.out.replace(/\s+/g, " "),
  }));
}

test("without a signing key in the environment the release refuses, with a Next: hint", () => {
  const r = release({}, path.join(tmp, "nokey"));
  expect(r.code).toBe(1);
  expect(r.stderr).toContain("release:provider: ARDA_MAIL_RELEASE_GPG_KEY must hold the ASCII-armored private signing key. Next:");
  expect(fs.existsSync(path.join(tmp, "nokey"))).toBe(false);
});

test("release:provider writes the registry layout, and terraform init installs it from a registry with its checks passing", async () => {
  expect(released.stderr).toContain(`signed by key ${keyId}`);
  expect(released.code).toBe(0);
  expect(fs.readdirSync(releaseDir).sort()).toEqual([`${PREFIX}_SHA256SUMS`, `${PREFIX}_SHA256SUMS.sig`, `${PREFIX}_linux_amd64.zip`, `${PREFIX}_manifest.json`, `${PREFIX}_signing-key.asc`]);
  expect(JSON.parse(fs.readFileSync(path.join(releaseDir, `${PREFIX}_manifest.json`), "utf8"))).toEqual({ version: 1, metadata: { protocol_versions: ["6.0"] } });
  expect(fs.readFileSync(path.join(releaseDir, `${PREFIX}_SHA256SUMS`), "utf8")).toMatch(new RegExp(`^[0-9a-f]{64}  ${PREFIX}_linux_amd64\\.zip\\n[0-9a-f]{64}  ${PREFIX}_manifest\\.json\\n$`));
  // The secret key never lands in the release.
  for (const f of fs.readdirSync(releaseDir)) expect(fs.readFileSync(path.join(releaseDir, f), "latin1")).not.toContain("PRIVATE KEY");

  const registry = await startProviderRegistry(ca, { namespace: "arda-cards", type: "postmark", version: VERSION, dir: releaseDir, keyId });
  try {
    const r1 = await init(registry.host, "good");
    expect(r1.out).toContain(`Installed ${registry.host}/arda-cards/postmark v${VERSION} (self-signed, key ID ${keyId})`);
    expect(r1.code).toBe(0);
    expect(registry.requests).toEqual(expect.arrayContaining(["/.well-known/terraform.json", `/v1/providers/arda-cards/postmark/${VERSION}/download/linux/amd64`, `/files/${PREFIX}_SHA256SUMS.sig`]));
    const lock = fs.readFileSync(path.join(tmp, "good/.terraform.lock.hcl"), "utf8");
    expect(lock).toContain(`provider "${registry.host}/arda-cards/postmark"`);
    expect(lock).toMatch(/"zh:[0-9a-f]{64}"/);
    // The installed executable is the release's and it starts: validate loads its schema.
    const v = spawnSync("terraform", ["validate", "-no-color"], {
      cwd: path.join(tmp, "good"),
      env: { PATH: process.env.PATH, HOME: path.join(tmp, "good-home"), CHECKPOINT_DISABLE: "1" },
      encoding: "utf8",
    });
    expect(v.stdout).toContain("Success! The configuration is valid.");
  } finally {
    await registry.close();
  }
}, 120_000);

function tamperedCopy(name: string, file: string): string {
  const dir = path.join(tmp, name);
  fs.cpSync(releaseDir, dir, { recursive: true });
  const p = path.join(dir, file);
  const bytes = fs.readFileSync(p);
  bytes[Math.floor(bytes.length / 2)] ^= 0x01;
  fs.writeFileSync(p, bytes);
  return dir;
}

test("a tampered zip makes terraform init fail on its checksum", async () => {
  const dir = tamperedCopy("tampered-zip", `${PREFIX}_linux_amd64.zip`);
  const registry = await startProviderRegistry(ca, { namespace: "arda-cards", type: "postmark", version: VERSION, dir, keyId });
  try {
    const r = await init(registry.host, "zip");
    expect(r.code).toBe(1);
    expect(r.out).toContain(`Error while installing ${registry.host}/arda-cards/postmark v${VERSION}`);
    expect(r.out).toMatch(/archive has incorrect checksum zh:[0-9a-f]{64} \(expected zh:[0-9a-f]{64}\)/);
  } finally {
    await registry.close();
  }
}, 120_000);

test("a tampered signature makes terraform init fail on the signature", async () => {
  const dir = tamperedCopy("tampered-sig", `${PREFIX}_SHA256SUMS.sig`);
  const registry = await startProviderRegistry(ca, { namespace: "arda-cards", type: "postmark", version: VERSION, dir, keyId });
  try {
    const r = await init(registry.host, "sig");
    expect(r.code).toBe(1);
    expect(r.out).toContain(`Error while installing ${registry.host}/arda-cards/postmark v${VERSION}`);
    expect(r.out).toContain(`Error while installing ${registry.host}/arda-cards/postmark v${VERSION}: error checking signature: openpgp: invalid signature`);
  } finally {
    await registry.close();
  }
}, 120_000);
