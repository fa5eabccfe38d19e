import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { Testing } from "cdktf";
import { PartitionEmailStack } from "../../stacks/partition-email-stack";
import { sandboxContext, sandboxPlatform, synthJson } from "../../stacks/test-support";
import { partitionMailEntry } from "../../platform/mail-context";
import { findPartition } from "../../platform/names";
import { decideVersions, describeDecisions, sameSecret, secretsManagerReader, stateVersion, versionVariables, writeOnlySecretSlots, type WriteOnlySecretSlot } from "./secrets";

function partitionStackJson(): Record<string, any> {
  const platform = sandboxPlatform();
  const p = findPartition(platform, "Alpha002", "dev");
  const stack = new PartitionEmailStack(Testing.app(), platform, p, { kind: "context", entry: partitionMailEntry(platform, p, sandboxContext(), "sandbox.cdktf.json") });
  return synthJson(stack);
}

describe("write-only secret slots of a synthesized stack", () => {
  it("finds both partition secrets with their value and version variables and literal names", () => {
    const slots = writeOnlySecretSlots(partitionStackJson());
    expect(slots.map((s) => [s.secretName, s.valueVariable, s.versionVariable]).sort()).toEqual([
      ["Alpha002-dev-EmailPostmarkAccountToken", "postmark_account_token", "postmark_account_token_version"],
      ["Alpha002-dev-I-EmailEncryptionKey", "email_encryption_key_registry", "email_encryption_key_registry_version"],
    ]);
    expect(slots.every((s) => s.versionResource.startsWith("aws_secretsmanager_secret_version."))).toBe(true);
  });

  it("refuses a version resource whose secret has no literal name", () => {
    const json = { resource: { aws_secretsmanager_secret_version: { v: { secret_id: "${data.x.id}", secret_string_wo: "${var.a}", secret_string_wo_version: "${var.a_version}" } } } };
    expect(() => writeOnlySecretSlots(json)).toThrow("aws_secretsmanager_secret_version.v: its secret_id does not name an aws_secretsmanager_secret of the stack with a literal name");
  });

  it("reads the version from raw state; refuses a non-integer", () => {
    const slot: WriteOnlySecretSlot = { versionResource: "aws_secretsmanager_secret_version.v", secretName: "s", valueVariable: "a", versionVariable: "a_version" };
    const state = (v: unknown) => ({ resources: [{ mode: "managed", type: "aws_secretsmanager_secret_version", name: "v", instances: [{ attributes: { secret_string_wo_version: v } }] }] });
    expect(stateVersion(state(3), slot)).toBe(3);
    expect(stateVersion({ resources: [] }, slot)).toBeUndefined();
    expect(stateVersion(undefined, slot)).toBeUndefined();
    expect(() => stateVersion(state("2"), slot)).toThrow('aws_secretsmanager_secret_version.v: secret_string_wo_version in state is "2", not a positive integer');
  });

  it("compares secrets by value and length", () => {
    expect(sameSecret("abc", "abc")).toBe(true);
    expect(sameSecret("abc", "abd")).toBe(false);
    expect(sameSecret("abc", "abcd")).toBe(false);
  });
});

/** moto on loopback, one account reached through an assumed-role profile (as the sandbox wires it). */
describe("decideVersions against Secrets Manager on moto", () => {
  let moto: ChildProcess;
  let env: NodeJS.ProcessEnv;
  let configFile: string;
  let admin: SecretsManagerClient;
  const slot: WriteOnlySecretSlot = { versionResource: "aws_secretsmanager_secret_version.v", secretName: "Alpha002-dev-I-EmailEncryptionKey", valueVariable: "email_encryption_key_registry", versionVariable: "email_encryption_key_registry_version" };
  const stateAt = (v: number) => ({ resources: [{ mode: "managed", type: "aws_secretsmanager_secret_version", name: "v", instances: [{ attributes: { secret_string_wo_version: v } }] }] });
  const canary = "registry-canary-0f3c9a";

  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "h11b-secrets-"));
    moto = spawn("moto_server", ["-H", "127.0.0.1", "-p", "0"], { stdio: ["ignore", "pipe", "pipe"] });
    const port = await new Promise<number>((resolve, reject) => {
      let seen = "";
      const onData = (c: Buffer): void => {
        seen += c.toString();
        const m = /Running on http:\/\/127\.0\.0\.1:(\d+)/.exec(seen);
        if (m) resolve(Number(m[1]));
      };
      moto.stdout!.on("data", onData);
      moto.stderr!.on("data", onData);
      moto.on("exit", (c) => reject(new Error(`moto_server exited ${c}: ${seen}`)));
    });
    const endpoint = `http://127.0.0.1:${port}`;
    env = { AWS_ENDPOINT_URL: endpoint, AWS_ENDPOINT_URL_STS: endpoint };
    configFile = path.join(dir, "config");
    fs.writeFileSync(configFile, "[profile base]\naws_access_key_id = test\naws_secret_access_key = test\nregion = us-east-1\n\n[profile Admin-Alpha2]\nrole_arn = arn:aws:iam::222222222222:role/arda-mail-local\nsource_profile = base\nregion = us-east-1\n");
    admin = new SecretsManagerClient({ region: "us-east-1", endpoint, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  });
  afterAll(() => {
    moto?.kill("SIGTERM");
  });

  const reader = () => secretsManagerReader({ profile: "Admin-Alpha2", region: "us-east-1", configFile, env });

  it("a secret not in state yet is new: version 1, Secrets Manager not asked", async () => {
    const [d] = await decideVersions([slot], undefined, { email_encryption_key_registry: canary }, { description: "x", current: () => Promise.reject(new Error("must not be asked")) });
    expect(d).toMatchObject({ version: 1, reason: "new" });
  });

  it("unchanged keeps the state's version; a hand edit or a rotation bumps it; never prints a value", async () => {
    const r = reader();
    expect(await r.current(slot.secretName)).toBeUndefined();
    // Create it the way Terraform does: as the profile (so in its account).
    const { fromIni } = await import("@aws-sdk/credential-providers");
    const asProfile = new SecretsManagerClient({ region: "us-east-1", endpoint: env.AWS_ENDPOINT_URL, credentials: fromIni({ profile: "Admin-Alpha2", configFilepath: configFile, clientConfig: { region: "us-east-1", endpoint: env.AWS_ENDPOINT_URL } }) });
    await asProfile.send(new CreateSecretCommand({ Name: slot.secretName, SecretString: canary }));
    // Not visible from the default account: the reader really acts in the profile's account.
    await expect(admin.send(new PutSecretValueCommand({ SecretId: slot.secretName, SecretString: "x" }))).rejects.toThrow();

    let [d] = await decideVersions([slot], stateAt(2), { email_encryption_key_registry: canary }, r);
    expect(d).toMatchObject({ version: 2, reason: "unchanged" });
    expect(versionVariables([d])).toEqual({ TF_VAR_email_encryption_key_registry_version: "2" });

    [d] = await decideVersions([slot], stateAt(2), { email_encryption_key_registry: `${canary}-rotated` }, r);
    expect(d).toMatchObject({ version: 3, reason: "changed" });
    const line = describeDecisions([d]);
    expect(line).toBe("Alpha002-dev-I-EmailEncryptionKey differs from 1Password → version 3");
    expect(line).not.toContain(canary);
  });

  it("a read failure names the secret and profile, not the value", async () => {
    const bad = secretsManagerReader({ profile: "Admin-Alpha2", region: "us-east-1", configFile, env: { ...env, AWS_ENDPOINT_URL: "http://127.0.0.1:1", AWS_ENDPOINT_URL_STS: "http://127.0.0.1:1" } });
    await expect(bad.current(slot.secretName)).rejects.toThrow(/^reading Alpha002-dev-I-EmailEncryptionKey from Secrets Manager \(profile Admin-Alpha2\) failed: /);
  });
});
