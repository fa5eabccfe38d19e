/**
 * The real deploy on the local AWS (moto on loopback): stacks applied exactly as synthesized, the
 * DNS served from what Route53 holds, secrets rotated only when they changed. One moto, one
 * sandbox environment for the whole file; each test builds on the state the previous one left.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { GetSecretValueCommand, ListSecretVersionIdsCommand, PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { findPartition, partitionKeyRegistryRef, partitionPostmarkTokenRef, partitionSecretNames } from "../../platform/names";
import type { Platform } from "../../platform/model";
import { clientConfig, startLocalAws, type LocalAws } from "../../sandbox/aws/moto";
import { localPlatform } from "../../sandbox/aws/local-platform";
import { route53DnsHook } from "../../sandbox/aws/publish-dns";
import { listZones } from "../../sandbox/aws/route53";
import { sandboxPlatform } from "../../testing/stacks";
import { startSandboxEnvironment, type SandboxEnvironment } from "../../sandbox/env";
import { regularFilesText } from "../../sandbox/canary";
import { FileSecretStore } from "../../lib/secrets";
import { PostmarkClient } from "../../lib/postmark/client";
import type { DeployContext } from "./deploy";
import { runBin } from "../../testing/cli";
import { deployStackForReal, type StackDeployResult } from "./real";
import { detectDrift } from "../drift";
import { readContext } from "../../platform/mail-context";
import { dnsReader } from "../../lib/dns/reader";
import { secretsManagerReader } from "../../lib/aws/secrets";

jest.setTimeout(300_000);

describe("a real deploy on the local AWS", () => {
  let aws: LocalAws;
  let platform: Platform;
  let env: SandboxEnvironment;
  let ctx: DeployContext;
  let stateRoot: string;
  let platformFile: string;
  let dir: string;
  const lines: string[] = [];
  const dev = () => findPartition(platform, "Alpha002", "dev");
  const sm = async () => new SecretsManagerClient(await clientConfig(aws, "Sandbox-Alpha002"));
  const stepOf = (r: StackDeployResult, name: string) => r.steps.find((s) => s.step === name);
  /** `drift`'s Secrets Manager items for dev (compared in memory with the file store's values). */
  const smDrift = async () => {
    const report = await detectDrift(
      {
        platform,
        context: readContext(env.contextFile),
        secrets: ctx.secrets,
        dns: dnsReader(env.dns!.address, { parentServer: env.dns!.parentAddress }),
        getDomain: (token, id) => ctx.client(token).getDomain(id),
        secretsManager: (i) => secretsManagerReader({ profile: i.awsProfile!, region: i.region, configFile: aws.configFile, env: aws.env }),
      },
      ["runtime-platform"],
    );
    lines.push(JSON.stringify(report));
    return report.assets
      .find((a) => a.asset === "partition:Alpha002/dev")!
      .items.filter((i) => i.kind === "secrets-manager")
      .map((i) => `${i.subject}: ${i.seen}`);
  };
  const secretsFile = (): Record<string, string> => JSON.parse(fs.readFileSync(env.secretsFile, "utf8")) as Record<string, string>;

  beforeAll(async () => {
    const base = sandboxPlatform();
    aws = await startLocalAws(base);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "arda-real-deploy-"));
    ({ platform, platformFile } = await localPlatform(base, aws, dir));
    env = await startSandboxEnvironment({ platform, dir: path.join(dir, "sandbox") });
    stateRoot = path.join(dir, "state-root");
    ctx = {
      platform,
      contextFile: env.contextFile,
      secrets: new FileSecretStore(env.secretsFile),
      client: (token) => new PostmarkClient({ accountToken: token, apiUrl: env.sandbox.url }),
      awsConfigFile: aws.configFile,
      offline: false,
      resolver: env.dns!.address,
      parentServer: env.dns!.parentAddress,
      planOnly: false,
      allowDestructive: false,
      verbose: false,
      confirmProduction: async () => true,
      rolloutFile: env.rolloutFile,
      workDir: env.workDir,
      progress: (l) => lines.push(l),
      remember: () => undefined,
      verifyAttempts: 5,
      verifyDelayMs: 300,
      env: { ...process.env, ...aws.env },
      stateRoot,
      postmarkUrl: env.sandbox.url,
      followDns: route53DnsHook(aws, platform, env.dns!.dir),
    };
  });
  afterAll(async () => {
    await env?.close();
    await aws?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("a partition refuses to deploy before Root is applied, before anything changes", async () => {
    const r = await deployStackForReal(ctx, { kind: "partition", partition: dev() });
    expect(r.ok).toBe(false);
    expect(stepOf(r, "root-applied")).toMatchObject({ outcome: "refused" });
    expect(stepOf(r, "root-applied")!.detail).toBe(
      "Root is not applied yet: its state has no MailRootZoneId output\nNext: run `arda-mail deploy root` first (every child stack writes its NS delegation through Root's role into Root's zone)",
    );
    expect(stepOf(r, "register")).toBeUndefined();
    expect(await new PostmarkClient({ accountToken: env.sandbox.accountToken, apiUrl: env.sandbox.url }).listDomains()).toHaveLength(0);
  });

  it("Root adopts the registrar's zone, converges, and outputs the zone and the NS role", async () => {
    const r = await deployStackForReal(ctx, { kind: "root" });
    expect(r.steps.filter((s) => s.outcome !== "ok")).toEqual([]);
    expect(r).toMatchObject({ ok: true, appliedResources: 4, secondPlanClean: true });
    expect(stepOf(r, "verify")!.detail).toBe(`adopted ardamails.com (${platform.rootZone.id}); NS role arn:aws:iam::100000000001:role/AllowCreatingNSRecordsRole`);
    // State where the model says it is, whatever the work directory.
    expect(fs.existsSync(path.join(stateRoot, "state", "sandbox", "Root", "Root.tfstate"))).toBe(true);
  });

  it("dev applies as synthesized, converges, and verifies against what Route53 holds; secrets equal 1Password's", async () => {
    const r = await deployStackForReal(ctx, { kind: "partition", partition: dev() });
    expect(r.steps.filter((s) => s.outcome !== "ok")).toEqual([]);
    expect(r).toMatchObject({ ok: true, appliedResources: 15, secondPlanClean: true });
    expect(r.verify!.ok).toBe(true);
    expect(stepOf(r, "secret-versions")!.detail).toBe("Alpha002-dev-I-EmailEncryptionKey new (version 1); Alpha002-dev-EmailPostmarkAccountToken new (version 1)");
    const names = partitionSecretNames(dev());
    const client = await sm();
    expect((await client.send(new GetSecretValueCommand({ SecretId: names.encryptionKey }))).SecretString).toBe(secretsFile()[partitionKeyRegistryRef(dev())]);
    expect((await client.send(new GetSecretValueCommand({ SecretId: names.postmarkAccountToken }))).SecretString).toBe(secretsFile()[partitionPostmarkTokenRef(dev())]);
    const zones = (await listZones(await clientConfig(aws, "Sandbox-Alpha002"))).filter((z) => z.name === "dev.ardamails.com");
    expect(zones).toHaveLength(1);
  });

  it("keys rotate → deploy: the new registry is current, the old one previous; the unchanged token gets no version", async () => {
    const names = partitionSecretNames(dev());
    const client = await sm();
    const old = secretsFile()[partitionKeyRegistryRef(dev())];
    const tokenVersions = (await client.send(new ListSecretVersionIdsCommand({ SecretId: names.postmarkAccountToken }))).Versions!.length;
    const rotate = await runBin(["keys", "rotate", "Alpha002", "dev", "--platform", "sandbox", "--secrets", `file:${env.secretsFile}`], { ARDA_MAIL_PLATFORM_FILE: platformFile });
    expect(rotate.code).toBe(0);
    const rotated = secretsFile()[partitionKeyRegistryRef(dev())];
    expect(rotated).not.toBe(old);
    expect(await smDrift()).toEqual(["Alpha002-dev-I-EmailEncryptionKey: a different value (not shown) — the next deploy writes 1Password's"]);

    const r = await deployStackForReal(ctx, { kind: "partition", partition: dev() });
    expect(r.steps.filter((s) => s.outcome !== "ok")).toEqual([]);
    expect(stepOf(r, "secret-versions")!.detail).toBe("Alpha002-dev-I-EmailEncryptionKey differs from 1Password → version 2; Alpha002-dev-EmailPostmarkAccountToken same as 1Password (version 1)");
    expect(r.plan!.destructive).toEqual([]);
    expect(r.secondPlanClean).toBe(true);
    expect((await client.send(new GetSecretValueCommand({ SecretId: names.encryptionKey }))).SecretString).toBe(rotated);
    expect((await client.send(new GetSecretValueCommand({ SecretId: names.encryptionKey, VersionStage: "AWSPREVIOUS" }))).SecretString).toBe(old);
    expect((await client.send(new ListSecretVersionIdsCommand({ SecretId: names.postmarkAccountToken }))).Versions!.length).toBe(tokenVersions);
  });

  it("a hand edit of the token in Secrets Manager: drift reports it, the next deploy restores 1Password's value", async () => {
    const names = partitionSecretNames(dev());
    const client = await sm();
    expect(await smDrift()).toEqual([]);
    await client.send(new PutSecretValueCommand({ SecretId: names.postmarkAccountToken, SecretString: "hand-edited-canary-0d9e" }));
    expect(await smDrift()).toEqual(["Alpha002-dev-EmailPostmarkAccountToken: a different value (not shown) — the next deploy writes 1Password's"]);
    const r = await deployStackForReal(ctx, { kind: "partition", partition: dev() });
    expect(r.steps.filter((s) => s.outcome !== "ok")).toEqual([]);
    expect(stepOf(r, "secret-versions")!.detail).toBe("Alpha002-dev-I-EmailEncryptionKey same as 1Password (version 2); Alpha002-dev-EmailPostmarkAccountToken differs from 1Password → version 2");
    expect((await client.send(new GetSecretValueCommand({ SecretId: names.postmarkAccountToken }))).SecretString).toBe(secretsFile()[partitionPostmarkTokenRef(dev())]);
    expect(await smDrift()).toEqual([]);
  });

  it("no secret value in any progress line, state, plan or file the deploys wrote", () => {
    const values = Object.values(secretsFile()).filter((v) => v.length >= 8);
    const written = regularFilesText(stateRoot) + regularFilesText(env.workDir) + lines.join("\n");
    for (const v of values) expect(written.includes(v)).toBe(false);
    expect(written.includes("hand-edited-canary-0d9e")).toBe(false);
  });
});
