import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { Testing } from "cdktf";
import { clientConfig, startLocalAws, type LocalAws } from "../../sandbox/aws/moto";
import { PartitionEmailStack } from "../../stacks/partition-email-stack";
import { sandboxContext, sandboxPlatform, synthJson } from "../../testing/stacks";
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

/** moto on loopback (the sandbox's local AWS), the secret in the model account of the dev partition. */
describe("decideVersions against Secrets Manager on moto", () => {
  const platform = sandboxPlatform();
  const profile = "Sandbox-Alpha002";
  let aws: LocalAws;
  let env: NodeJS.ProcessEnv;
  let configFile: string;
  const slot: WriteOnlySecretSlot = {
    versionResource: "aws_secretsmanager_secret_version.v",
    secretName: "Alpha002-dev-I-EmailEncryptionKey",
    valueVariable: "email_encryption_key_registry",
    versionVariable: "email_encryption_key_registry_version",
  };
  const stateAt = (v: number) => ({ resources: [{ mode: "managed", type: "aws_secretsmanager_secret_version", name: "v", instances: [{ attributes: { secret_string_wo_version: v } }] }] });
  const canary = "registry-canary-0f3c9a";

  beforeAll(async () => {
    aws = await startLocalAws(platform);
    env = aws.env;
    configFile = aws.configFile;
  });
  afterAll(async () => {
    await aws?.stop();
  });

  const reader = () => secretsManagerReader({ profile, region: "us-east-1", configFile, env });

  it("a secret not in state yet is new: version 1, Secrets Manager not asked", async () => {
    const [d] = await decideVersions([slot], undefined, { email_encryption_key_registry: canary }, { description: "x", current: () => Promise.reject(new Error("must not be asked")) });
    expect(d).toMatchObject({ version: 1, reason: "new" });
  });

  it("unchanged keeps the state's version; a hand edit or a rotation bumps it; never prints a value", async () => {
    const r = reader();
    expect(await r.current(slot.secretName)).toBeUndefined();
    // Created as the profile (so in its account), as Terraform does.
    const asProfile = new SecretsManagerClient(await clientConfig(aws, profile));
    await asProfile.send(new CreateSecretCommand({ Name: slot.secretName, SecretString: canary }));
    // The reader acts in the profile's account: another account's reader does not see the secret.
    const other = secretsManagerReader({ profile: "Sandbox-Alpha1", region: "us-east-1", configFile, env });
    expect(await other.current(slot.secretName)).toBeUndefined();

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
    const bad = secretsManagerReader({ profile, region: "us-east-1", configFile, env: { ...env, AWS_ENDPOINT_URL: "http://127.0.0.1:1", AWS_ENDPOINT_URL_STS: "http://127.0.0.1:1" } });
    await expect(bad.current(slot.secretName)).rejects.toThrow(/^reading Alpha002-dev-I-EmailEncryptionKey from Secrets Manager \(profile Sandbox-Alpha002\) failed: /);
  });
});
