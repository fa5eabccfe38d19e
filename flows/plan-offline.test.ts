/**
 * The real Terraform CLI and the real AWS provider (from the machine's mirror) validate and plan
 * every synthesized stack offline; assertions are on `terraform show -json` output.
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runTerraform, terraformEnv, OFFLINE_AWS_ENV } from "../lib/terraform";
import { loadPlatform, ROOT_ACCOUNT_ENV } from "../platform/load";
import { planOffline, PlanSummary } from "./plan-offline";
import { synthPlatform } from "./synth";

const CANARY_TOKEN = `CANARY-POSTMARK-TOKEN-${randomUUID()}`;
const CANARY_KEY = `CANARYKEYMATERIAL${randomUUID().replace(/-/g, "")}`.padEnd(86, "Q").slice(0, 86) + "==";
const CANARY_REGISTRY = JSON.stringify({ "3f1d2c4b-5a69-4f70-8e91-a2b3c4d5e6f7": CANARY_KEY });

type Plan = Record<string, any>;
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "arda-mail-plan-"));
let summaries: PlanSummary[] = [];
const plans: Record<string, Plan> = {};

beforeAll(async () => {
  summaries = await planOffline({
    platform: loadPlatform("sandbox"),
    outdir,
    hcl: true,
    variables: { TF_VAR_postmark_account_token: CANARY_TOKEN, TF_VAR_email_encryption_key_registry: CANARY_REGISTRY },
  });
  for (const s of summaries) plans[s.stack] = JSON.parse(fs.readFileSync(s.planFile, "utf8"));
}, 300_000);

const changes = (stack: string) => (plans[stack].resource_changes as Array<Record<string, any>>).filter((c) => c.mode === "managed");
const after = (stack: string, type: string) =>
  changes(stack)
    .filter((c) => c.type === type)
    .map((c) => ({ ...c.change.after, _provider: c.provider_name, _address: c.address }));

describe("offline plan of every stack (sandbox platform)", () => {
  it("plans the six stacks of the design, creating only, destroying nothing", () => {
    expect(summaries.map((s) => s.stack)).toEqual(["Root", "Corporate", "Alpha002-dev-Email", "Alpha002-stage-Email", "Alpha001-demo-Email", "Alpha001-prod-Email"]);
    for (const s of summaries) {
      expect(s.destroy).toBe(0);
      expect(s.change).toBe(0);
      expect(s.add).toBeGreaterThan(0);
    }
    expect(summaries.find((s) => s.stack === "Root")!.adopted).toBe(1);
  });

  it("Root: the adopted zone is not replaced; role, SPF and DMARC are created", () => {
    const zone = changes("Root").find((c) => c.type === "aws_route53_zone")!;
    expect(zone.change.actions).toEqual(["no-op"]);
    expect(after("Root", "aws_iam_role")[0].name).toBe("AllowCreatingNSRecordsRole");
    expect(
      after("Root", "aws_route53_record")
        .map((r) => r.name)
        .sort(),
    ).toEqual(["_dmarc.ardamails.com", "ardamails.com"]);
  });

  it("partition stacks: resource types, DKIM host and value, Return-Path target, DMARC text, NS via the aliased provider", () => {
    const context = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "platform", "sandbox.cdktf.json"), "utf8")).context;
    for (const [stack, key, domain] of [
      ["Alpha002-dev-Email", "partitionMail:Alpha002:dev", "dev.ardamails.com"],
      ["Alpha001-prod-Email", "partitionMail:Alpha001:prod", "prod.ardamails.com"],
    ]) {
      const types = [...new Set(changes(stack).map((c) => c.type))].sort();
      expect(types).toEqual([
        "aws_iam_role",
        "aws_iam_role_policy",
        "aws_route53_record",
        "aws_route53_zone",
        "aws_secretsmanager_secret",
        "aws_secretsmanager_secret_version",
        "postmark_domain_verification",
      ]);
      const verification = changes(stack).find((c) => c.type === "postmark_domain_verification")!;
      expect(verification.change.after.domain_id).toBe(String(context[key].domainId));
      const records = after(stack, "aws_route53_record");
      const dkim = records.find((r) => r.name === context[key].dkimHost)!;
      expect(dkim.type).toBe("TXT");
      expect((dkim.records as string[])[0].split('""').join("")).toBe(context[key].dkimPublicKey);
      expect(records.find((r) => r.name === `pm-bounces.${domain}`)).toMatchObject({ type: "CNAME", records: ["pm.mtasv.net"] });
      expect(records.find((r) => r.name === `_dmarc.${domain}`)!.records).toEqual(["v=DMARC1; p=quarantine; sp=quarantine; rua=mailto:dmarc-reports@arda.cards"]);
      const ns = changes(stack).find((c) => c.type === "aws_route53_record" && c.change.after.type === "NS")!;
      expect(ns.provider_name).toBe("registry.terraform.io/hashicorp/aws");
      expect(ns.change.after.zone_id).toBe("Z00SANDBOXROOTZONE01");
      const nsConfig = plans[stack].configuration.root_module.resources.find((r: any) => r.address === ns.address);
      expect(nsConfig.provider_config_key).toBe("aws.upstream_dns");
    }
  });

  it("the key secret's ARN is wired into the fallback role's policy; outputs are the six of the design", () => {
    const config = plans["Alpha002-stage-Email"].configuration.root_module;
    const doc = config.resources.find((r: any) => r.type === "aws_iam_policy_document" && r.address.includes("EmailEncryptionKeyFallbackRole_permissions"));
    expect(JSON.stringify(doc.expressions.statement)).toMatch(/aws_secretsmanager_secret\.EmailEncryptionKey_secret_[A-F0-9]+\.arn/);
    expect(Object.keys(plans["Alpha002-stage-Email"].planned_values.outputs).sort()).toEqual([
      "EmailDnsProvisioningRoleArn",
      "EmailEncryptionKeyArn",
      "EmailEncryptionKeyFallbackRoleArn",
      "EmailPostmarkAccountTokenArn",
      "PartitionMailZoneId",
      "PartitionMailZoneName",
    ]);
    const secrets = after("Alpha002-stage-Email", "aws_secretsmanager_secret")
      .map((s) => s.name)
      .sort();
    expect(secrets).toEqual(["Alpha002-stage-EmailPostmarkAccountToken", "Alpha002-stage-I-EmailEncryptionKey"]);
  });

  it("canary secrets appear in no synthesized file, plan JSON, saved plan or state", () => {
    const hits: string[] = [];
    const scan = (file: string, text: string) => {
      if (text.includes(CANARY_TOKEN) || text.includes(CANARY_KEY) || text.includes("CANARYKEYMATERIAL")) hits.push(file);
    };
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isSymbolicLink() || e.name === ".terraform") continue;
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith(".tfplan")) {
          // A saved plan is a zip: look inside every member.
          const members = execFileSync("python3", ["-c", "import sys,zipfile\nz=zipfile.ZipFile(sys.argv[1])\nfor n in z.namelist(): sys.stdout.buffer.write(z.read(n))", p]);
          scan(p, members.toString("latin1"));
        } else scan(p, fs.readFileSync(p, "latin1"));
      }
    };
    walk(outdir);
    expect(hits).toEqual([]);
    const scanned = fs.readdirSync(path.join(outdir, "plans"));
    expect(scanned).toHaveLength(6);
    expect(fs.existsSync(path.join(outdir, "stacks", "Alpha002-dev-Email", "offline.tfplan"))).toBe(true);
    expect(fs.existsSync(path.join(outdir, "stacks", "Root", "terraform.offline.tfstate"))).toBe(true);
  });

  it("the HCL export of a partition stack and of Root validates", async () => {
    for (const stack of ["Alpha001-demo-Email", "Root"]) {
      const dir = path.join(outdir, "hcl", "stacks", stack);
      expect(fs.readFileSync(path.join(dir, "cdk.tf"), "utf8")).toContain('resource "aws_route53_zone"');
      const env = terraformEnv(OFFLINE_AWS_ENV);
      const init = await runTerraform(["init", "-backend=false", "-input=false", "-no-color"], { cwd: dir, env });
      expect(init.stderr).toBe("");
      const v = await runTerraform(["validate", "-no-color"], { cwd: dir, env });
      expect(v.stdout).toContain("Success! The configuration is valid");
      expect(v.code).toBe(0);
    }
  });
});

describe("plan-time checks", () => {
  it("a malformed key registry fails the plan with the registry message, without echoing the value", async () => {
    const bad = `{"not-a-uuid": "CANARYBADREGISTRY"}`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "arda-mail-badreg-"));
    // Terraform wraps diagnostics at 78 columns: compare with whitespace normalised.
    const message = (e: Error) => e.message.replace(/\s+/g, " ");
    for (const registry of [bad, "{}", "not json"]) {
      const err = await planOffline({
        platform: loadPlatform("sandbox"),
        outdir: dir,
        stacks: ["Alpha002-dev-Email"],
        variables: { TF_VAR_postmark_account_token: CANARY_TOKEN, TF_VAR_email_encryption_key_registry: registry },
      }).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err).toBeInstanceOf(Error);
      expect(message(err!)).toContain(
        "email_encryption_key_registry must be a non-empty JSON object of at most 65,536 bytes mapping lower-case UUIDs to distinct base64 values of exactly 64 bytes (run `arda-mail keys check`: it applies the same rule)",
      );
      expect(err!.message).not.toContain("CANARYBADREGISTRY");
    }
  }, 120_000);

  it("provider mode: the partition stack plans offline with a postmark_domain feeding its DNS", async () => {
    const base = loadPlatform("sandbox", { env: {} });
    const platform = { ...base, instanceGroups: { ...base.instanceGroups, runtimePlatform: { dkimSource: "provider" as const } } };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "arda-mail-provider-mode-"));
    const [summary] = await planOffline({
      platform,
      outdir: dir,
      stacks: ["Alpha002-dev-Email"],
      variables: { TF_VAR_postmark_account_token: CANARY_TOKEN, TF_VAR_email_encryption_key_registry: CANARY_REGISTRY },
    });
    const plan = JSON.parse(fs.readFileSync(summary.planFile, "utf8"));
    const managed = (plan.resource_changes as any[]).filter((c) => c.mode === "managed");
    const domain = managed.find((c) => c.type === "postmark_domain");
    expect(domain.change.actions).toEqual(["create"]);
    expect(domain.change.after).toMatchObject({ name: "dev.ardamails.com", return_path_domain: "pm-bounces.dev.ardamails.com" });
    expect(domain.change.after_unknown).toMatchObject({ id: true, dkim_record_value: true, dkim_selector: true });
    const dkim = managed.find((c) => c.type === "aws_route53_record" && c.change.after.type === "TXT" && c.change.after_unknown.name === true);
    expect(dkim.change.after_unknown.records).toBe(true);
    expect(managed.find((c) => c.type === "postmark_domain_verification").change.actions).toEqual(["create"]);
    expect(fs.readFileSync(summary.planFile, "utf8")).not.toContain(CANARY_TOKEN);
  }, 120_000);

  it("the real platform's partition stack adopts the zone its model records: seeded offline, changed in place (tags), never created", async () => {
    const [dev] = await planOffline({
      platform: loadPlatform("arda", { env: { [ROOT_ACCOUNT_ENV]: "111122223333" } }),
      outdir: fs.mkdtempSync(path.join(os.tmpdir(), "arda-mail-real-plan-")),
      contextFile: path.join(__dirname, "..", "platform", "sandbox.cdktf.json"),
      stacks: ["Alpha002-dev-Email"],
    });
    expect([dev.adopted, dev.destroy]).toEqual([1, 0]);
    const zone = (JSON.parse(fs.readFileSync(dev.planFile, "utf8")).resource_changes as Array<Record<string, any>>).find((c) => c.type === "aws_route53_zone")!;
    expect(zone.change.actions).toEqual(["update"]);
    expect(zone.change.before).toMatchObject({ zone_id: "Z0830123OPJSQ95EYD0M", name: "dev.ardamails.com" });
    expect(zone.change.after.tags_all).toEqual({ "arda:infrastructure": "Alpha002", "arda:managed-by": "arda-mail", "arda:platform": "arda" });
  }, 120_000);

  it("the real platform needs its platformRoot account id; synth names the field", () => {
    expect(() => synthPlatform({ platform: loadPlatform("arda", { env: {} }), outdir: fs.mkdtempSync(path.join(os.tmpdir(), "arda-mail-real-")) })).toThrow(
      /infrastructures\.Root\.accountId: required/,
    );
  });
});
