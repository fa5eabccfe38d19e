/**
 * The takeover rehearsal on the local AWS (moto on loopback), the Postmark sandbox (the four
 * partition domains registered and verified as the live rollout left them, under the seed's DKIM
 * selectors), Knot DNS serving what Route53 holds, and the CloudFormation stand-in: the seed's live
 * system is built (Root and the four partitions in their two accounts), then Root and dev go through
 * discover → plan (with Terraform's own plan) → adopt (the real deploy's Terraform runner) → retain
 * → detach, dev interrupted after every step and re-run, and `--all` takes over the rest of the tree
 * (stage, demo, prod) and, run again, changes nothing. Afterwards nothing was recreated (zone ids,
 * secret ARNs and values, role ARNs), Terraform's second plans are empty, the consumers' imports
 * resolve to the same values, and nothing was duplicated. One fixture for the whole file.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { GetRoleCommand, IAMClient, ListRolePoliciesCommand } from "@aws-sdk/client-iam";
import { CreateSecretCommand, GetSecretValueCommand, ListSecretVersionIdsCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { terraformEnv, runTerraform } from "../../lib/terraform";
import { readTakeover } from "../../lib/takeover/record";
import { zonesNamed } from "../../lib/aws/route53";
import { describeDecisions, secretsManagerReader } from "../../lib/aws/secrets";
import type { CloudFormationOps } from "../../lib/aws/cloudformation";
import { PostmarkClient } from "../../lib/postmark/client";
import type { Platform } from "../../platform/model";
import { loadPlatform, ROOT_ACCOUNT_ENV } from "../../platform/load";
import { activePartitions, CORPORATE_STACK, partitionDomain, partitionStackName, ROOT_STACK } from "../../platform/names";
import { clientConfig } from "../../sandbox/aws/clients";
import { startLocalAws, type LocalAws } from "../../sandbox/aws/moto";
import { route53DnsHook } from "../../sandbox/aws/publish-dns";
import { startDnsTree, findKnotd, type DnsTree } from "../../sandbox/dns/knot";
import { assembleZones } from "../../sandbox/dns/zone";
import { startSandbox, type RunningSandbox } from "../../sandbox/postmark/server";
import { regularFilesText } from "../../sandbox/canary";
import { generatedKeyRegistry } from "../../sandbox/env";
import { buildLiveSystem, LEGACY_ROOT_ROLE, OTHER_ROOT_ZONE, SEED_DKIM_SELECTORS, txtValue, writeLivePostmarkState, type FixtureRecord, type LiveSystem } from "../../sandbox/takeover-fixture";
import { sandboxPlatform } from "../../testing/stacks";
import { secretVersions, withVersions } from "../deploy/terraform-stack";
import { partitionTarget, registerDomain } from "../register";
import { synthPlatform } from "../synth";
import { IMPORT_FILE, type TerraformSetup } from "./adopt";
import { BRIDGE_RESOURCE } from "./detach";
import { infrastructureOf } from "./discover";
import { takeoverStack, takeoverTargets, type StackTakeoverResult, type TakeoverContext } from "./takeover";

const DEV = "Alpha002-dev-Email";
/** The live partitions of the seed: dev and stage in Alpha002, demo and prod in Alpha001. */
const PARTITIONS = activePartitions(sandboxPlatform());
/** What CloudFormation deletes on a partition's detach: the delegation mechanism and its own inline policies. */
const CFN_DELETED = [
  "EmailDnsProvisioningRoleDefaultPolicy",
  "EmailEncryptionKeyFallbackRoleDefaultPolicy",
  "NsDelegationProviderFunction",
  "NsDelegationProviderLogGroup",
  "NsDelegationProviderRole",
];
/** What every partition's takeover creates beside its imports (the same construct ids in each stack). */
const PARTITION_CREATES = [
  "aws_iam_role_policy.EmailDnsProvisioningRole_policy_366AA552",
  "aws_iam_role_policy.EmailEncryptionKeyFallbackRole_policy_7762B5B4",
  "aws_secretsmanager_secret_version.EmailEncryptionKey_value_05531657",
  "aws_secretsmanager_secret_version.EmailPostmarkAccountToken_value_903AB8A9",
  "postmark_domain_verification.sending_domain_verification_F8C30178",
];
const DNS_ROLE = "aws_iam_role.EmailDnsProvisioningRole_role_83F4D6F0";
jest.setTimeout(300_000);

/** The dev zone's records as the model synthesizes them (register found Postmark's existing domain). */
function modelRecords(stackDir: string): FixtureRecord[] {
  const j = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8")) as {
    resource: { aws_route53_record: Record<string, { name: string; type: string; ttl: number; records: string[]; provider?: string }> };
  };
  return Object.values(j.resource.aws_route53_record)
    .filter((r) => !r.provider)
    .map((r) => ({ name: r.name, type: r.type, ttl: r.ttl, values: r.type === "TXT" ? r.records.map((v) => txtValue(v.replace(/""/g, ""))) : r.records }));
}

/** Regular files below `d` (the state root: Terraform's lock may leave its directory, never a state file). */
function filesUnder(d: string): string[] {
  if (!fs.existsSync(d)) return [];
  return fs
    .readdirSync(d, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

/** Progress lines with the time they arrived, to measure the steps of interrupted runs. */
class Lines {
  readonly all: Array<{ at: number; line: string }> = [];
  push(line: string): void {
    this.all.push({ at: Date.now(), line });
  }
  at(re: RegExp, from = 0): number {
    const hit = this.all.find((l) => l.at >= from && re.test(l.line));
    if (!hit) throw new Error(`no progress line ${re} in:\n${this.all.map((l) => l.line).join("\n")}`);
    return hit.at;
  }
  text(): string {
    return this.all.map((l) => l.line).join("\n");
  }
}

const knot = findKnotd();

(knot ? describe : describe.skip)("takeover rehearsal (moto + Postmark sandbox + Knot + CloudFormation stand-in)", () => {
  let aws: LocalAws;
  let dns: DnsTree;
  let postmark: RunningSandbox;
  let dir: string;
  let live: LiveSystem;
  let platform: Platform;
  let stackDirs: Record<string, string>;
  /**
   * 1Password's values of each partition stack's secrets (the file store of a real run): the live secrets hold the same.
   * One Postmark account token for all four — the Postmark sandbox is one account (live: PostmarkNonProd for dev and
   * stage, PostmarkProd for demo and prod); a key registry of its own per partition.
   */
  let onePassword: Record<string, { postmark_account_token: string; email_encryption_key_registry: string }>;
  let accountToken: string;
  const lines = new Lines();
  const times: Record<string, number> = {};

  beforeAll(async () => {
    let t = Date.now();
    const base = sandboxPlatform();
    aws = await startLocalAws(base);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "takeover-"));
    for (const d of ["pre", "run"]) fs.mkdirSync(path.join(dir, d), { recursive: true });
    dns = await startDnsTree([base.mailRootDomain], assembleZones([base.mailRootDomain], []), { dir: path.join(dir, "dns") });
    const statePath = path.join(dir, "postmark", "state.json");
    await writeLivePostmarkState(
      statePath,
      PARTITIONS.map((p) => ({ name: partitionDomain(base, p), selector: SEED_DKIM_SELECTORS[p.name] })),
    );
    accountToken = `live-postmark-token-canary-${process.pid}-${Date.now()}`;
    onePassword = Object.fromEntries(PARTITIONS.map((p) => [partitionStackName(p), { postmark_account_token: accountToken, email_encryption_key_registry: generatedKeyRegistry() }]));
    postmark = await startSandbox({ accountToken, dnsResolver: dns.address, statePath, dkimBits: 1024 });
    times.servers = Date.now() - t;
    t = Date.now();
    // register finds each live domain and writes its public values to a scratch context.
    const contextFile = path.join(dir, "cdktf.json");
    fs.writeFileSync(contextFile, `${JSON.stringify({ language: "typescript", app: "node dist/main.js", context: {} }, null, 2)}\n`);
    for (const p of PARTITIONS) {
      const reg = await registerDomain({
        target: partitionTarget(base, p.infrastructure, p.name),
        client: new PostmarkClient({ accountToken, apiUrl: postmark.url }),
        contextFile,
        dryRun: false,
        update: false,
        progress: (l) => lines.push(l),
      });
      expect([p.name, reg.postmark, reg.entry?.dkimSelector]).toEqual([p.name, "found", SEED_DKIM_SELECTORS[p.name]]);
    }
    const partitionStacks = PARTITIONS.map(partitionStackName);
    const first = synthPlatform({ platform: base, outdir: path.join(dir, "pre", "out"), contextFile, hcl: false, stacks: partitionStacks });
    // The live DNS roles: dev's hard-coded legacy name; stage's and prod's as the real model records them from the
    // rollout log; demo's auto-named by CloudFormation (the log does not name it).
    const arda = loadPlatform("arda", { env: { [ROOT_ACCOUNT_ENV]: "123456789012" } });
    const liveDnsRole = (name: string): string | undefined => (name === "dev" ? LEGACY_ROOT_ROLE : arda.partitions.find((x) => x.name === name)?.adoptedRoleNames?.EmailDnsProvisioningRole);
    live = await buildLiveSystem(
      aws,
      base,
      PARTITIONS.map((p) => {
        const values = onePassword[partitionStackName(p)];
        const dnsRoleName = liveDnsRole(p.name);
        return {
          partition: p,
          records: modelRecords(first.stackDirs[partitionStackName(p)]),
          ...(dnsRoleName ? { dnsRoleName } : {}),
          secretValues: { token: values.postmark_account_token, key: values.email_encryption_key_registry },
        };
      }),
    );
    expect([live.partitions.stage.roles.EmailDnsProvisioningRole.name, live.partitions.prod.roles.EmailDnsProvisioningRole.name]).toEqual([
      "Alpha002-stage-Email-EmailDnsProvisioningRoleNsDele-MEp15pHK7X9l",
      "Alpha001-prod-Email-EmailDnsProvisioningRoleNsDeleg-2fiNWHdBEaWC",
    ]);
    // The sandbox model records every live role name (as the real one must: the plan refuses a role it would replace).
    platform = sandboxPlatform((raw) => {
      raw.rootZone.id = live.rootZoneId;
      for (const p of PARTITIONS) {
        const roles = live.partitions[p.name].roles;
        raw.partitions.find((x: { name: string }) => x.name === p.name).adoptedRoleNames = {
          EmailDnsProvisioningRole: roles.EmailDnsProvisioningRole.name,
          EmailEncryptionKeyFallbackRole: roles.EmailEncryptionKeyFallbackRole.name,
        };
      }
    });
    stackDirs = synthPlatform({ platform, outdir: path.join(dir, "run", "out"), contextFile, hcl: false, stacks: [ROOT_STACK, ...partitionStacks], stateRoot: path.join(dir, "state-root") }).stackDirs;
    times.fixture = Date.now() - t;
  });
  afterAll(async () => {
    await postmark?.close();
    await dns?.stop();
    await aws?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    process.stderr.write(`takeover rehearsal times (ms): ${JSON.stringify(times)}\n`);
    process.stderr.write(`takeover rehearsal, the updates the operator saw:\n${[...new Set(lines.all.flatMap((l) => l.line.split("\n")).filter((l) => l.startsWith("  update  ")))].join("\n")}\n`);
  });

  const profileOf = (stack: string): string => infrastructureOf(platform, stack).awsProfile!;
  function setup(stack: string, extra: { signal?: AbortSignal; tee?: (l: string) => void } = {}): TerraformSetup {
    const values = onePassword[stack] ?? {};
    return {
      env: terraformEnv({
        ...aws.env,
        AWS_PROFILE: profileOf(stack),
        POSTMARK_API_URL: postmark.url,
        ...Object.fromEntries(Object.entries(values).map(([k, v]) => [`TF_VAR_${k}`, v])),
      }),
      values,
      reader: secretsManagerReader({ profile: profileOf(stack), region: "us-east-1", configFile: aws.configFile, env: aws.env }),
      ...extra,
    };
  }
  function ctx(over: Partial<TakeoverContext> & { tee?: (l: string) => void } = {}): TakeoverContext {
    const { tee, ...rest } = over;
    return {
      platform,
      stackDirs,
      account: async (profile) => clientConfig(aws, profile),
      cloudFormation: async () => live.cloudFormation,
      terraform: async (stack) => setup(stack, { ...(over.signal ? { signal: over.signal } : {}), ...(tee ? { tee } : {}) }),
      recordFile: path.join(dir, "takeover", "sandbox.json"),
      planOnly: false,
      progress: (l) => lines.push(l),
      ...rest,
    };
  }
  const smClient = async (profile = "Sandbox-Alpha002") => new SecretsManagerClient(await clientConfig(aws, profile));
  const versionCount = async (sm: SecretsManagerClient, id: string) => (await sm.send(new ListSecretVersionIdsCommand({ SecretId: id }))).Versions!.length;

  it("--plan-only: Root imports the registrar's zone itself, creates our narrower role beside the legacy one; changes nothing", async () => {
    const r = await takeoverStack(ctx({ planOnly: true }), "Root");
    times["Root.plan"] = (r.times.plan ?? 0) + (r.times.terraformPlan ?? 0);
    expect(r.plan!.refusals).toEqual([]);
    expect(r.plan!.creates.map((c) => c.address).sort()).toEqual([
      "aws_iam_role.AllowCreatingNSRecordsRole_role_DEA78536",
      "aws_iam_role_policy.AllowCreatingNSRecordsRole_policy_5E7FD64E",
      "aws_route53_record.apex_policy_dmarc_EE97E882",
      "aws_route53_record.apex_policy_spf_44A3215C",
    ]);
    expect(r.plan!.terraform!.counts).toMatchObject({ add: 4, destroy: 0, import: 1 });
    expect(fs.readdirSync(stackDirs.Root)).toEqual(["cdk.tf.json"]);
    expect(filesUnder(path.join(dir, "state-root"))).toEqual([]);
    expect(fs.existsSync(ctx().recordFile)).toBe(false);
  });

  it("--plan-only: dev lists every import, the in-place updates by attribute name (the live trust policy differs), what is created; nothing written", async () => {
    const from = Date.now();
    const r = await takeoverStack(ctx({ planOnly: true }), DEV);
    times[`${DEV}.planOnly`] = Date.now() - from;
    expect(r.plan!.refusals).toEqual([]);
    const ids = Object.fromEntries(r.plan!.imports.map((i) => [i.address, i.id]));
    const dev = live.partitions.dev;
    expect(ids["aws_route53_zone.partition_zone"]).toBe(dev.zoneId);
    expect(ids["aws_route53_record.ns_delegation_ns_23B72064"]).toBe(`${live.rootZoneId}_dev.ardamails.com_NS`);
    expect(ids["aws_secretsmanager_secret.EmailPostmarkAccountToken_secret_847F3410"]).toBe(dev.secretArns.token);
    expect(ids[DNS_ROLE]).toBe(LEGACY_ROOT_ROLE);
    expect(r.plan!.imports).toHaveLength(10);
    expect(r.plan!.creates.map((c) => c.address).sort()).toEqual(PARTITION_CREATES);
    expect(r.plan!.terraform!.counts).toMatchObject({ import: 10, add: 5, destroy: 0 });
    // What the operator reads: the lines of the plan (names only, never a value).
    const shown = lines.text();
    expect(shown).toContain(`${DEV}: 10 to import, 5 to create, 0 refused`);
    expect(shown).toMatch(new RegExp(`\\n  update  ${DNS_ROLE.replace(/\./g, "\\.")} \\([^)]*assume_role_policy[^)]*\\)`));
    expect(shown).toMatch(/\n {2}update {2}aws_iam_role\.EmailEncryptionKeyFallbackRole_role_76697938 \([^)]*assume_role_policy[^)]*\)/);
    expect(shown).toContain(
      "  create  aws_secretsmanager_secret_version.EmailPostmarkAccountToken_value_903AB8A9 (writes the value from 1Password as a new AWSCURRENT version of the adopted secret (Secrets Manager keeps the live one as AWSPREVIOUS; the secret and its ARN stay); 1Password's value is the live one (compared in memory): the new version holds the same value)",
    );
    expect(shown).toContain(
      `  terraform plan: 5 to add, ${r.plan!.updates!.length} to change, 0 to destroy, 10 to import; secrets: Alpha002-dev-I-EmailEncryptionKey new (version 1); Alpha002-dev-EmailPostmarkAccountToken new (version 1)`,
    );
    expect(r.plan!.cloudFormation!.delete.sort()).toEqual(CFN_DELETED);
    // Nothing changed: no file in the stack directory, no state, no record, no CloudFormation update, one version per secret.
    expect(fs.readdirSync(stackDirs[DEV])).toEqual(["cdk.tf.json"]);
    expect(filesUnder(path.join(dir, "state-root"))).toEqual([]);
    expect(fs.existsSync(ctx().recordFile)).toBe(false);
    expect(live.cloudFormation.updates).toBe(0);
    const sm = await smClient();
    expect([await versionCount(sm, dev.secretArns.token), await versionCount(sm, dev.secretArns.key)]).toEqual([1, 1]);
    sm.destroy();
  });

  it("--plan-only refuses a model that would replace an imported resource, naming it — nothing written", async () => {
    // The model's role path differs from the live role's ("/"): Terraform can only replace it (path forces a new role).
    const tampered = path.join(dir, "tampered", DEV);
    fs.mkdirSync(tampered, { recursive: true });
    const j = JSON.parse(fs.readFileSync(path.join(stackDirs[DEV], "cdk.tf.json"), "utf8")) as { resource: Record<string, Record<string, Record<string, unknown>>> };
    j.resource.aws_iam_role[DNS_ROLE.split(".")[1]].path = "/mail/";
    fs.writeFileSync(path.join(tampered, "cdk.tf.json"), JSON.stringify(j));
    const err = await takeoverStack(ctx({ planOnly: true, stackDirs: { ...stackDirs, [DEV]: tampered } }), DEV).catch((e: Error) => e);
    expect((err as Error).message).toContain(
      `${DEV}: the takeover is refused — live and model disagree:\n  ${DNS_ROLE}: Terraform would replace this live resource instead of adopting it (delete+create)`,
    );
    expect(lines.text()).toContain(`  REFUSED ${DNS_ROLE}: Terraform would replace this live resource`);
    expect(fs.readdirSync(tampered)).toEqual(["cdk.tf.json"]);
    expect(fs.existsSync(ctx().recordFile)).toBe(false);
    expect(live.cloudFormation.updates).toBe(0);
  });

  it("adopts Root on the local AWS: the first apply imports the live zone, the second plan is empty", async () => {
    const r = await takeoverStack(ctx(), "Root");
    times["Root.apply"] = r.times.apply!;
    times["Root.secondPlan"] = r.times.secondPlan!;
    expect(r.steps).toEqual({ plan: "done", adopt: "done", retain: "done", detach: "not-needed" });
    // RootConfiguration is only retained: its other zone and the legacy role stay CloudFormation's, nothing deleted.
    expect(r.plan!.cloudFormation).toEqual({ stackName: "RootConfiguration", mode: "retain-only", retain: ["ArdamailsComZone"], delete: [], exports: [] });
    expect(live.cloudFormation.managedResources("RootConfiguration")).toEqual(["AllowCreatingNSRecordsRole", "ArdamailsComZone", "OtherHostedZone"]);
    expect(live.cloudFormation.deleted).toEqual([]);
    expect(await zonesNamed(await clientConfig(aws, "Sandbox-Root"), OTHER_ROOT_ZONE)).toHaveLength(1);
    const zones = await zonesNamed(await clientConfig(aws, "Sandbox-Root"), "ardamails.com");
    expect(zones.map((z) => z.id)).toEqual([live.rootZoneId]);
    // The legacy role is untouched (left in RootConfiguration, DQ-013).
    const iam = new IAMClient(await clientConfig(aws, "Sandbox-Root"));
    expect((await iam.send(new GetRoleCommand({ RoleName: LEGACY_ROOT_ROLE }))).Role!.Arn).toBe(live.rootRoleArn);
    iam.destroy();
    expect(readTakeover(ctx().recordFile, platform).stacks.Root.steps.adopted).toBeDefined();
    const again = await takeoverStack(ctx(), "Root");
    expect(again.steps).toEqual({ plan: "already", adopt: "already", retain: "already", detach: "not-needed" });
  });

  it("dev, interrupted after each step and re-run: adopted with nothing recreated or duplicated, second plan empty, the exports still resolve", async () => {
    const dev = live.partitions.dev;
    const cfn = live.cloudFormation;
    const before = cfn.resolveImports(dev.consumerStack);
    const record = () => readTakeover(ctx().recordFile, platform).stacks[DEV]?.steps ?? {};
    const interruptOn = (re: RegExp) => {
      const stop = new AbortController();
      return { stop, progress: (l: string) => (lines.push(l), re.test(l) ? stop.abort("SIGINT") : undefined) };
    };
    const sm = await smClient();

    // 1. After the plan: the record says planned, the import file is written, nothing applied.
    let t0 = Date.now();
    const afterPlan = interruptOn(/^Alpha002-dev-Email: planned —/);
    await expect(takeoverStack(ctx({ signal: afterPlan.stop.signal, progress: afterPlan.progress }), DEV)).rejects.toThrow(`${DEV}: takeover interrupted (SIGINT) after plan; sandbox.json records it`);
    times[`${DEV}.plan`] = lines.at(/^Alpha002-dev-Email: planned —/, t0) - t0;
    expect(Object.keys(record())).toEqual(["planned"]);
    expect(fs.readFileSync(path.join(stackDirs[DEV], IMPORT_FILE), "utf8")).toContain(dev.zoneId);
    expect(await versionCount(sm, dev.secretArns.token)).toBe(1);

    // 2. During the adopt: the interrupt arrives as the apply completes — Terraform finishes, the second plan is
    //    stopped, the record does not say adopted.
    t0 = Date.now();
    const duringAdopt = new AbortController();
    const tee = (l: string): void => {
      if (/Apply complete!/.test(l)) {
        lines.push("[test] apply complete");
        duringAdopt.abort("SIGINT");
      }
    };
    await expect(takeoverStack(ctx({ signal: duringAdopt.signal, tee }), DEV)).rejects.toThrow("terraform plan was interrupted");
    times[`${DEV}.apply`] = lines.at(/^\[test\] apply complete/, t0) - lines.at(/^Alpha002-dev-Email: planned —/, t0);
    expect(Object.keys(record())).toEqual(["planned"]);
    expect(fs.readFileSync(path.join(stackDirs[DEV], "apply.log"), "utf8")).toMatch(/Apply complete! Resources: 10 imported, 5 added, \d+ changed, 0 destroyed\./);

    // 3. The re-run plans again (nothing left to import or create), the second plan is empty; interrupted after retain.
    t0 = Date.now();
    const afterRetain = interruptOn(/^Alpha002-dev-Email: retain done/);
    await expect(takeoverStack(ctx({ signal: afterRetain.stop.signal, progress: afterRetain.progress }), DEV)).rejects.toThrow(`after retain`);
    expect(lines.text()).toMatch(/Alpha002-dev-Email: \d+ to import, 0 to create, 0 refused/);
    expect(lines.text()).toContain(
      "  terraform plan: 0 to add, 0 to change, 0 to destroy; secrets: Alpha002-dev-I-EmailEncryptionKey same as 1Password (version 1); Alpha002-dev-EmailPostmarkAccountToken same as 1Password (version 1)",
    );
    const adoptedAt = lines.at(/^Alpha002-dev-Email: adopted —/, t0);
    times[`${DEV}.replan`] = lines.at(/^Alpha002-dev-Email: planned —/, t0) - t0;
    times[`${DEV}.secondPlan`] = adoptedAt - lines.at(/^Alpha002-dev-Email: planned —/, t0);
    times[`${DEV}.retain`] = lines.at(/^Alpha002-dev-Email: retain done/, t0) - adoptedAt;
    expect(Object.keys(record())).toEqual(["planned", "adopted", "retained"]);

    // 4. Mid-detach, twice: the bridge update lost before CloudFormation got it, then lost after it went through.
    let mode: "before" | "after" | "pass" = "before";
    const flaky: CloudFormationOps = {
      describeStack: (n) => cfn.describeStack(n),
      getTemplate: (n) => cfn.getTemplate(n),
      listExports: () => cfn.listExports(),
      listImports: (n) => cfn.listImports(n),
      updateStack: async (n, tpl) => {
        if (mode === "before") throw new Error("connection reset before UpdateStack reached CloudFormation");
        const answer = await cfn.updateStack(n, tpl);
        if (mode === "after") throw new Error("connection reset after UpdateStack went through");
        return answer;
      },
    };
    await expect(takeoverStack(ctx({ cloudFormation: async () => flaky }), DEV)).rejects.toThrow("connection reset before");
    expect(cfn.managedResources(DEV)).not.toEqual([BRIDGE_RESOURCE]);
    mode = "after";
    t0 = Date.now();
    await expect(takeoverStack(ctx({ cloudFormation: async () => flaky }), DEV)).rejects.toThrow("connection reset after");
    times[`${DEV}.detach`] = Date.now() - t0;
    expect(Object.keys(record())).toEqual(["planned", "adopted", "retained"]);
    mode = "pass";

    // 5. The last re-run finds every step done (the bridge recognised from the template) and records it.
    const r = await takeoverStack(ctx({ cloudFormation: async () => flaky }), DEV);
    expect(r.steps).toEqual({ plan: "already", adopt: "already", retain: "already", detach: "already" });
    expect(Object.keys(record())).toEqual(["planned", "adopted", "retained", "detached"]);

    // CloudFormation: only the bridge left, the delegation mechanism and its own policies deleted once, exports unchanged.
    expect(cfn.managedResources(DEV)).toEqual([BRIDGE_RESOURCE]);
    expect(cfn.deleted.sort()).toEqual(CFN_DELETED.map((x) => `${DEV}/${x}`));
    expect(cfn.resolveImports(dev.consumerStack)).toEqual(before);
    expect(before["Alpha002-dev-API-EmailDnsProvisioningRoleArn"]).toBe(dev.roles.EmailDnsProvisioningRole.arn);

    // Nothing recreated: the same zone, secrets (ARNs and values) and roles (ARNs) in moto; one version written per secret.
    const cfg = await clientConfig(aws, "Sandbox-Alpha002");
    expect((await zonesNamed(cfg, "dev.ardamails.com")).map((z) => z.id)).toEqual([dev.zoneId]);
    for (const [arn, value] of [
      [dev.secretArns.token, dev.secretValues.token],
      [dev.secretArns.key, dev.secretValues.key],
    ]) {
      const cur = await sm.send(new GetSecretValueCommand({ SecretId: arn }));
      expect([cur.ARN, cur.SecretString]).toEqual([arn, value]);
      expect((await sm.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: "AWSPREVIOUS" }))).SecretString).toBe(value);
      expect(await versionCount(sm, arn)).toBe(2);
    }
    sm.destroy();
    const iam = new IAMClient(cfg);
    for (const role of Object.values(dev.roles)) {
      const got = (await iam.send(new GetRoleCommand({ RoleName: role.name }))).Role!;
      expect(got.Arn).toBe(role.arn);
      // The trust policy was tightened in place (the model's ArnLike condition), not by replacing the role.
      expect(decodeURIComponent(got.AssumeRolePolicyDocument!)).toContain("aws:PrincipalArn");
      // CloudFormation's inline policy went with the detach; Terraform's own one (created by the adopt) stays.
      expect((await iam.send(new ListRolePoliciesCommand({ RoleName: role.name }))).PolicyNames).toHaveLength(1);
    }
    iam.destroy();
    // register found the live Postmark domains; nothing created there.
    expect((await new PostmarkClient({ accountToken, apiUrl: postmark.url }).listDomains()).map((d) => d.Name).sort()).toEqual(PARTITIONS.map((p) => partitionDomain(platform, p)).sort());

    // A deploy-style plan afterwards: the secrets are 1Password's (no new version), and it exits 0 (no changes).
    const run = withVersions(
      { stack: DEV, dir: stackDirs[DEV], env: setup(DEV).env },
      await secretVersions({ stack: DEV, dir: stackDirs[DEV], env: setup(DEV).env }, onePassword[DEV], setup(DEV).reader),
    );
    const plan = await runTerraform(["plan", "-input=false", "-no-color", "-detailed-exitcode"], { cwd: run.dir, env: run.env });
    expect([plan.code, plan.stderr]).toEqual([0, ""]);
    expect(describeDecisions(await secretVersions(run, onePassword[DEV], setup(DEV).reader))).toBe(
      "Alpha002-dev-I-EmailEncryptionKey same as 1Password (version 1); Alpha002-dev-EmailPostmarkAccountToken same as 1Password (version 1)",
    );
  });

  /** `arda-mail takeover --all` as the command runs it: takeoverTargets' stacks in order, one takeoverStack each. */
  async function takeoverAll(): Promise<StackTakeoverResult[]> {
    const out: StackTakeoverResult[] = [];
    // Corporate has no CloudFormation counterpart (a first deploy, not a takeover): the rehearsal covers the live tree.
    for (const stack of takeoverTargets(platform, undefined, true, aws.configFile).filter((s) => s !== CORPORATE_STACK)) out.push(await takeoverStack(ctx(), stack));
    return out;
  }
  const stepsOf = (rs: readonly StackTakeoverResult[]) => Object.fromEntries(rs.map((r) => [r.stack, r.steps]));
  const ALREADY = { plan: "already", adopt: "already", retain: "already", detach: "already" };

  it("--all after Root and dev: stage, demo and prod adopted (only what is live imported), retained and detached; Root and dev already", async () => {
    const cfn = live.cloudFormation;
    const rest = PARTITIONS.filter((p) => p.name !== "dev");
    const importsBefore = Object.fromEntries(PARTITIONS.map((p) => [p.name, cfn.resolveImports(live.partitions[p.name].consumerStack)]));
    const results = await takeoverAll();
    expect(results.map((r) => r.stack)).toEqual([ROOT_STACK, ...PARTITIONS.map(partitionStackName)]);
    expect(stepsOf(results)).toEqual({
      [ROOT_STACK]: { ...ALREADY, detach: "not-needed" },
      [DEV]: ALREADY,
      ...Object.fromEntries(rest.map((p) => [partitionStackName(p), { plan: "done", adopt: "done", retain: "done", detach: "done" }])),
    });
    for (const p of rest) {
      const stack = partitionStackName(p);
      const r = results.find((x) => x.stack === stack)!;
      const lp = live.partitions[p.name];
      times[`${stack}.plan`] = (r.times.plan ?? 0) + (r.times.terraformPlan ?? 0);
      for (const k of ["apply", "secondPlan", "retain", "detach"] as const) times[`${stack}.${k}`] = r.times[k]!;
      // Only what is live is imported, by its live id; what is created is what the model adds beside it.
      const ids = Object.fromEntries(r.plan!.imports.map((i) => [i.address, i.id]));
      expect([stack, r.plan!.refusals, r.plan!.imports.length]).toEqual([stack, [], 10]);
      expect([ids["aws_route53_zone.partition_zone"], ids["aws_route53_record.ns_delegation_ns_23B72064"], ids[DNS_ROLE]]).toEqual([
        lp.zoneId,
        `${live.rootZoneId}_${partitionDomain(platform, p)}_NS`,
        lp.roles.EmailDnsProvisioningRole.name,
      ]);
      expect(ids["aws_secretsmanager_secret.EmailPostmarkAccountToken_secret_847F3410"]).toBe(lp.secretArns.token);
      expect(r.plan!.creates.map((c) => c.address).sort()).toEqual(PARTITION_CREATES);
      expect(r.plan!.terraform!.counts).toMatchObject({ import: 10, add: 5, destroy: 0 });
      expect(lines.text()).toMatch(new RegExp(`\\n${stack}: adopted — terraform apply [\\d.]+ s, second plan empty`));
    }
    // Every partition: nothing recreated (zone id, secret ARNs and values, role ARNs), CloudFormation holds only the bridge.
    for (const p of PARTITIONS) {
      const stack = partitionStackName(p);
      const lp = live.partitions[p.name];
      const profile = infrastructureOf(platform, stack).awsProfile!;
      const cfg = await clientConfig(aws, profile);
      expect([stack, (await zonesNamed(cfg, partitionDomain(platform, p))).map((z) => z.id)]).toEqual([stack, [lp.zoneId]]);
      const sm = await smClient(profile);
      for (const [arn, value] of [
        [lp.secretArns.token, lp.secretValues.token],
        [lp.secretArns.key, lp.secretValues.key],
      ]) {
        const cur = await sm.send(new GetSecretValueCommand({ SecretId: arn }));
        expect([cur.ARN, cur.SecretString === value, await versionCount(sm, arn)]).toEqual([arn, true, 2]);
      }
      sm.destroy();
      const iam = new IAMClient(cfg);
      for (const role of Object.values(lp.roles)) {
        expect((await iam.send(new GetRoleCommand({ RoleName: role.name }))).Role!.Arn).toBe(role.arn);
        expect((await iam.send(new ListRolePoliciesCommand({ RoleName: role.name }))).PolicyNames).toHaveLength(1);
      }
      iam.destroy();
      expect([stack, cfn.managedResources(stack)]).toEqual([stack, [BRIDGE_RESOURCE]]);
      // The consumer's imports resolve to the same values (the bridge publishes them; the stand-in resolves what it exports).
      expect(cfn.resolveImports(lp.consumerStack)).toEqual(importsBefore[p.name]);
      expect(importsBefore[p.name]).toEqual(lp.exports);
      expect(lp.exports[`${p.infrastructure}-${p.name}-API-PartitionMailZoneId`]).toBe(lp.zoneId);
    }
    expect(cfn.deleted.sort()).toEqual(PARTITIONS.flatMap((p) => CFN_DELETED.map((x) => `${partitionStackName(p)}/${x}`)).sort());
    // RootConfiguration only retained: its other zone and the legacy role stay.
    expect(cfn.managedResources("RootConfiguration")).toEqual(["AllowCreatingNSRecordsRole", "ArdamailsComZone", "OtherHostedZone"]);
    // The record: Root retained (never bridged), every partition stack detached.
    const rec = readTakeover(ctx().recordFile, platform).stacks;
    expect(Object.keys(rec.Root.steps)).toEqual(["planned", "adopted", "retained"]);
    for (const p of PARTITIONS) expect([partitionStackName(p), Object.keys(rec[partitionStackName(p)].steps)]).toEqual([partitionStackName(p), ["planned", "adopted", "retained", "detached"]]);
  }, 600_000);

  it("a second --all changes nothing: every step already, no CloudFormation update, no secret version, no file written", async () => {
    const cfn = live.cloudFormation;
    const updates = cfn.updates;
    const written = () => filesUnder(dir).map((f) => [f, fs.statSync(f).mtimeMs]);
    const filesBefore = written();
    const versions = async () => {
      const out: number[] = [];
      for (const p of PARTITIONS) {
        const sm = await smClient(infrastructureOf(platform, partitionStackName(p)).awsProfile!);
        for (const arn of Object.values(live.partitions[p.name].secretArns)) out.push(await versionCount(sm, arn));
        sm.destroy();
      }
      return out;
    };
    const versionsBefore = await versions();
    const t0 = Date.now();
    const results = await takeoverAll();
    times.secondAll = Date.now() - t0;
    expect(stepsOf(results)).toEqual({ [ROOT_STACK]: { ...ALREADY, detach: "not-needed" }, ...Object.fromEntries(PARTITIONS.map((p) => [partitionStackName(p), ALREADY])) });
    expect(cfn.updates).toBe(updates);
    expect(written()).toEqual(filesBefore);
    expect(await versions()).toEqual(versionsBefore);
  });

  it("the DNS the sandbox verifies against is what Route53 holds after the takeover", async () => {
    const follower = route53DnsHook(aws, platform, dns.dir)({ stack: DEV, infrastructure: "Alpha002", zoneName: "dev.ardamails.com" });
    expect(await follower.stop({ PartitionMailZoneId: live.partitions.dev.zoneId })).toMatch(/record sets of ardamails\.com, dev\.ardamails\.com read back from the local AWS's Route53/);
    const client = new PostmarkClient({ accountToken, apiUrl: postmark.url });
    const d = (await client.listDomains()).find((x) => x.Name === "dev.ardamails.com")!;
    expect((await client.verifyReturnPath(d.ID)).ReturnPathDomainVerified).toBe(true);
  });

  it("why the secret versions are created, not imported: importing a live version puts its value into the saved plan and replaces it", async () => {
    const probe = `import-probe-canary-${process.pid}`;
    const sm = await smClient();
    const arn = (await sm.send(new CreateSecretCommand({ Name: "takeover-import-probe", SecretString: probe }))).ARN!;
    const versionId = (await sm.send(new ListSecretVersionIdsCommand({ SecretId: arn }))).Versions![0].VersionId!;
    sm.destroy();
    const tf = fs.mkdtempSync(path.join(os.tmpdir(), "takeover-import-probe-"));
    try {
      fs.writeFileSync(
        path.join(tf, "main.tf.json"),
        JSON.stringify({
          provider: { aws: [{ region: "us-east-1" }] },
          variable: { v: { type: "string", sensitive: true, ephemeral: true } },
          resource: { aws_secretsmanager_secret_version: { x: { secret_id: arn, secret_string_wo: "${var.v}", secret_string_wo_version: 1 } } },
          import: [{ to: "aws_secretsmanager_secret_version.x", id: `${arn}|${versionId}` }],
        }),
      );
      const env = terraformEnv({ ...aws.env, AWS_PROFILE: "Sandbox-Alpha002", TF_VAR_v: probe });
      expect((await runTerraform(["init", "-input=false", "-no-color"], { cwd: tf, env })).code).toBe(0);
      expect((await runTerraform(["plan", "-input=false", "-no-color", "-out=probe.tfplan"], { cwd: tf, env })).code).toBe(0);
      const shown = (await runTerraform(["show", "-json", "probe.tfplan"], { cwd: tf, env })).stdout;
      expect((JSON.parse(shown) as { resource_changes: Array<{ change: { actions: string[] } }> }).resource_changes.map((c) => c.change.actions)).toEqual([["delete", "create"]]);
      expect(shown.includes(probe)).toBe(true);
    } finally {
      fs.rmSync(tf, { recursive: true, force: true });
    }
  });

  it("no secret value in any progress line, import file, plan, state, apply log or record the takeover wrote", () => {
    const written = regularFilesText(dir) + lines.text();
    const canaries = [
      accountToken,
      ...Object.values(onePassword).map((v) => v.email_encryption_key_registry),
      ...Object.values(live.partitions).flatMap((p) => [p.secretValues.token, p.secretValues.key]),
    ];
    for (const v of canaries) expect(written.includes(v)).toBe(false);
    expect(fs.existsSync(path.join(dir, "state-root", "state", "sandbox", "Alpha002", `${DEV}.tfstate`))).toBe(true);
  });
});
