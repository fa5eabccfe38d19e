/**
 * The takeover rehearsal on the local AWS (moto on loopback) with the CloudFormation stand-in:
 * the seed's live system is built, then discover → plan → adopt → retain → detach, and afterwards
 * nothing was recreated (zone ids, secret ARNs and values, role ARNs), the consumer's imports
 * resolve to the same values, and a re-run finds every step done.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { GetRoleCommand, IAMClient, ListRolePoliciesCommand } from "@aws-sdk/client-iam";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { terraformEnv, runTerraform } from "../../lib/terraform";
import { readTakeover } from "../../lib/takeover/record";
import { zonesNamed } from "../../lib/aws/route53";
import type { Platform } from "../../platform/model";
import { findPartition } from "../../platform/names";
import { clientConfig } from "../../sandbox/aws/clients";
import { startLocalAws, type LocalAws } from "../../sandbox/aws/moto";
import { buildLiveSystem, LEGACY_ROOT_ROLE, OTHER_ROOT_ZONE, txtValue, type FixtureRecord, type LiveSystem } from "../../sandbox/takeover-fixture";
import { sandboxPlatform } from "../../testing/stacks";
import { synthPlatform } from "../synth";
import { IMPORT_FILE, terraformAdopt } from "./adopt";
import { takeoverStack, type TakeoverContext } from "./takeover";

const DEV = "Alpha002-dev-Email";
jest.setTimeout(180_000);

/** The dev zone's records as the model synthesizes them (register found Postmark's existing domain). */
function modelRecords(stackDir: string): FixtureRecord[] {
  const j = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8")) as {
    resource: { aws_route53_record: Record<string, { name: string; type: string; ttl: number; records: string[]; provider?: string }> };
  };
  return Object.values(j.resource.aws_route53_record)
    .filter((r) => !r.provider)
    .map((r) => ({ name: r.name, type: r.type, ttl: r.ttl, values: r.type === "TXT" ? r.records.map((v) => txtValue(v.replace(/""/g, ""))) : r.records }));
}

describe("takeover rehearsal (moto + CloudFormation stand-in)", () => {
  let aws: LocalAws;
  let dir: string;
  let live: LiveSystem;
  let platform: Platform;
  let stackDirs: Record<string, string>;
  const times: Record<string, number> = {};

  beforeAll(async () => {
    let t = Date.now();
    const base = sandboxPlatform();
    aws = await startLocalAws(base);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "takeover-"));
    for (const d of ["pre", "run"]) fs.mkdirSync(path.join(dir, d), { recursive: true });
    times.moto = Date.now() - t;
    t = Date.now();
    const first = synthPlatform({ platform: base, outdir: path.join(dir, "pre", "out"), hcl: false, stacks: [DEV] });
    live = await buildLiveSystem(aws, base, [{ partition: findPartition(base, "Alpha002", "dev"), records: modelRecords(first.stackDirs[DEV]), dnsRoleName: LEGACY_ROOT_ROLE }]);
    const dev = live.partitions.dev;
    platform = sandboxPlatform((raw) => {
      raw.rootZone.id = live.rootZoneId;
      raw.partitions.find((p: { name: string }) => p.name === "dev").adoptedRoleNames = {
        EmailDnsProvisioningRole: dev.roles.EmailDnsProvisioningRole.name,
        EmailEncryptionKeyFallbackRole: dev.roles.EmailEncryptionKeyFallbackRole.name,
      };
    });
    stackDirs = synthPlatform({ platform, outdir: path.join(dir, "run", "out"), hcl: false, stacks: ["Root", DEV] }).stackDirs;
    times.fixture = Date.now() - t;
  });
  afterAll(async () => {
    await aws?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    process.stderr.write(`takeover rehearsal times (ms): ${JSON.stringify(times)}\n`);
  });

  const tfEnv = (profile: string): NodeJS.ProcessEnv =>
    terraformEnv({ ...aws.env, AWS_PROFILE: profile, TF_VAR_postmark_account_token: "sandbox-token-canary", TF_VAR_email_encryption_key_registry: live.partitions.dev.secretValues.key });
  function ctx(over: Partial<TakeoverContext> = {}): TakeoverContext {
    return {
      platform,
      stackDirs,
      account: async (profile) => clientConfig(aws, profile),
      cloudFormation: async () => live.cloudFormation,
      adopt: async (stack, stackDir) => {
        const r = await terraformAdopt(stack, stackDir, tfEnv(stack === "Root" ? "Sandbox-Root" : "Sandbox-Alpha002"));
        times[`${stack}.apply`] = r.applyMs;
        times[`${stack}.secondPlan`] = r.secondPlanMs;
      },
      recordFile: path.join(dir, "takeover", "sandbox.json"),
      planOnly: false,
      ...over,
    };
  }

  it("--plan-only: Root imports the registrar's zone itself, creates our narrower role beside the legacy one; changes nothing", async () => {
    const t = Date.now();
    const r = await takeoverStack(ctx({ planOnly: true }), "Root");
    times["Root.plan"] = Date.now() - t;
    expect(r.plan!.refusals).toEqual([]);
    expect(r.plan!.creates.map((c) => c.address).sort()).toEqual([
      "aws_iam_role.AllowCreatingNSRecordsRole_role_DEA78536",
      "aws_iam_role_policy.AllowCreatingNSRecordsRole_policy_5E7FD64E",
      "aws_route53_record.apex_policy_dmarc_EE97E882",
      "aws_route53_record.apex_policy_spf_44A3215C",
    ]);
    expect(fs.existsSync(path.join(stackDirs.Root, IMPORT_FILE))).toBe(false);
    expect(fs.existsSync(ctx().recordFile)).toBe(false);
  });

  it("--plan-only: the dev partition imports every live AWS resource, no refusal, nothing written", async () => {
    const t = Date.now();
    const r = await takeoverStack(ctx({ planOnly: true }), DEV);
    times[`${DEV}.plan`] = Date.now() - t;
    expect(r.plan!.refusals).toEqual([]);
    const ids = Object.fromEntries(r.plan!.imports.map((i) => [i.address, i.id]));
    const dev = live.partitions.dev;
    expect(ids["aws_route53_zone.partition_zone"]).toBe(dev.zoneId);
    expect(ids["aws_route53_record.ns_delegation_ns_23B72064"]).toBe(`${live.rootZoneId}_dev.ardamails.com_NS`);
    expect(ids["aws_secretsmanager_secret.EmailPostmarkAccountToken_secret_847F3410"]).toBe(dev.secretArns.token);
    expect(ids["aws_iam_role.EmailDnsProvisioningRole_role_83F4D6F0"]).toBe(LEGACY_ROOT_ROLE);
    expect(r.plan!.imports).toHaveLength(10);
    expect(r.plan!.imports.find((i) => i.address === "aws_route53_record.ns_delegation_ns_23B72064")!.logicalId).toBeUndefined();
    expect(r.plan!.creates.map((c) => c.address).sort()).toEqual([
      "aws_iam_role_policy.EmailDnsProvisioningRole_policy_366AA552",
      "aws_iam_role_policy.EmailEncryptionKeyFallbackRole_policy_7762B5B4",
      "aws_secretsmanager_secret_version.EmailEncryptionKey_value_05531657",
      "aws_secretsmanager_secret_version.EmailPostmarkAccountToken_value_903AB8A9",
      "postmark_domain_verification.sending_domain_verification_F8C30178",
    ]);
    expect(r.plan!.cloudFormation!.retain).toContain("NsDelegation");
    expect(r.plan!.cloudFormation!.delete.sort()).toEqual([
      "EmailDnsProvisioningRoleDefaultPolicy",
      "EmailEncryptionKeyFallbackRoleDefaultPolicy",
      "NsDelegationProviderFunction",
      "NsDelegationProviderLogGroup",
      "NsDelegationProviderRole",
    ]);
    expect(fs.existsSync(path.join(stackDirs[DEV], IMPORT_FILE))).toBe(false);
    expect(live.cloudFormation.updates).toBe(0);
  });

  it("adopts Root on the local AWS: the first apply imports the live zone, the second plan is empty", async () => {
    const r = await takeoverStack(ctx(), "Root");
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

  it("dev: imports planned against moto (nothing destroyed or replaced), then CloudFormation lets go — resumed after an interruption", async () => {
    // The partition's first apply needs the Postmark sandbox for postmark_domain_verification (not wired here):
    // its adoption step is the Terraform plan with the import file, checked; the CloudFormation half then runs on the stand-in.
    const cfn = live.cloudFormation;
    let calls = 0;
    const interrupted: TakeoverContext["cloudFormation"] = async () => ({
      describeStack: (n) => cfn.describeStack(n),
      getTemplate: (n) => cfn.getTemplate(n),
      listExports: () => cfn.listExports(),
      listImports: (n) => cfn.listImports(n),
      updateStack: async (n, t) => {
        // The second update (the detach) is interrupted once: retain went through.
        if (++calls === 2) throw new Error("connection reset (interrupted)");
        return cfn.updateStack(n, t);
      },
    });
    const before = cfn.resolveImports(live.partitions.dev.consumerStack);
    const adopt: TakeoverContext["adopt"] = async (_s, stackDir) => {
      const env = tfEnv("Sandbox-Alpha002");
      const init = await runTerraform(["init", "-input=false", "-no-color"], { cwd: stackDir, env });
      expect(init.stderr).toBe("");
      const t = Date.now();
      const plan = await runTerraform(["plan", "-input=false", "-no-color"], { cwd: stackDir, env });
      times[`${DEV}.importPlan`] = Date.now() - t;
      expect(plan.stderr).toBe("");
      expect(plan.stdout).toMatch(/Plan: 10 to import, 5 to add, \d+ to change, 0 to destroy\./);
      expect(plan.stdout).not.toMatch(/must be replaced/);
      expect(plan.stdout).not.toContain(live.partitions.dev.secretValues.token);
    };
    const t = Date.now();
    await expect(takeoverStack(ctx({ adopt, cloudFormation: interrupted }), DEV)).rejects.toThrow("connection reset (interrupted)");
    times[`${DEV}.untilInterrupted`] = Date.now() - t;
    expect(readTakeover(ctx().recordFile, platform).stacks[DEV].steps).toEqual({ planned: expect.any(String), adopted: expect.any(String), retained: expect.any(String) });
    const t2 = Date.now();
    const r = await takeoverStack(
      ctx({
        adopt: async () => {
          throw new Error("adopt must not run again");
        },
        cloudFormation: interrupted,
      }),
      DEV,
    );
    times[`${DEV}.resume`] = Date.now() - t2;
    expect(r.steps).toEqual({ plan: "already", adopt: "already", retain: "already", detach: "done" });
    const importFile = fs.readFileSync(path.join(stackDirs[DEV], IMPORT_FILE), "utf8");
    expect(importFile).toContain(live.partitions.dev.zoneId);
    // No secret value in what the takeover writes (import file, record).
    for (const text of [importFile, fs.readFileSync(ctx().recordFile, "utf8")]) {
      expect(text).not.toContain(live.partitions.dev.secretValues.token);
      expect(text).not.toContain(live.partitions.dev.secretValues.key);
    }

    // CloudFormation: only the bridge left, the delegation mechanism and its own policies deleted, exports unchanged.
    expect(cfn.managedResources(DEV)).toEqual(["ArdaMailTakeoverBridge"]);
    expect(cfn.deleted.sort()).toEqual(
      ["EmailDnsProvisioningRoleDefaultPolicy", "EmailEncryptionKeyFallbackRoleDefaultPolicy", "NsDelegationProviderFunction", "NsDelegationProviderLogGroup", "NsDelegationProviderRole"].map(
        (x) => `${DEV}/${x}`,
      ),
    );
    expect(cfn.resolveImports(live.partitions.dev.consumerStack)).toEqual(before);

    // Nothing recreated: the same zone, secrets (ARNs and values) and roles (ARNs) in moto.
    const dev = live.partitions.dev;
    const cfg = await clientConfig(aws, "Sandbox-Alpha002");
    expect((await zonesNamed(cfg, "dev.ardamails.com")).map((z) => z.id)).toEqual([dev.zoneId]);
    const sm = new SecretsManagerClient(cfg);
    const token = await sm.send(new GetSecretValueCommand({ SecretId: dev.secretArns.token }));
    expect([token.ARN, token.SecretString]).toEqual([dev.secretArns.token, dev.secretValues.token]);
    expect((await sm.send(new GetSecretValueCommand({ SecretId: dev.secretArns.key }))).SecretString).toBe(dev.secretValues.key);
    sm.destroy();
    const iam = new IAMClient(cfg);
    for (const role of Object.values(dev.roles)) {
      expect((await iam.send(new GetRoleCommand({ RoleName: role.name }))).Role!.Arn).toBe(role.arn);
      // CloudFormation's inline policy went with the detach (Terraform's own policy replaces it on apply).
      expect((await iam.send(new ListRolePoliciesCommand({ RoleName: role.name }))).PolicyNames).toEqual([]);
    }
    iam.destroy();
    expect(before["Alpha002-dev-API-EmailDnsProvisioningRoleArn"]).toBe(dev.roles.EmailDnsProvisioningRole.arn);

    const again = await takeoverStack(
      ctx({
        adopt: async () => {
          throw new Error("adopt must not run again");
        },
      }),
      DEV,
    );
    expect(again.steps).toEqual({ plan: "already", adopt: "already", retain: "already", detach: "already" });
  });
});
