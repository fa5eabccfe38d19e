import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import * as path from "node:path";
import { Testing } from "cdktf";
import { localStatePath, STATE_ROOT_CONTEXT } from "../constructs/state-backend";
import { REPO_ROOT } from "../platform/load";
import "cdktf/lib/testing/adapters/jest"; // matcher types; jest.setup.js registers them
import { partitionMailEntry } from "../platform/mail-context";
import { findPartition } from "../platform/names";
import { PartitionEmailStack, rolePrefix } from "./partition-email-stack";
import { SANDBOX_CONTEXT_FILE, sandboxContext, sandboxPlatform, synthJson } from "../testing/stacks";

function partitionStack(platform = sandboxPlatform(), infra = "Alpha002", name = "dev") {
  const p = findPartition(platform, infra, name);
  const entry = partitionMailEntry(platform, p, sandboxContext(), SANDBOX_CONTEXT_FILE);
  return { stack: new PartitionEmailStack(Testing.app(), platform, p, { kind: "context", entry }), entry };
}

describe("PartitionEmailStack", () => {
  const { stack, entry } = partitionStack();
  const synth = Testing.synth(stack);
  const json = JSON.parse(synth) as Record<string, any>;

  it("places DKIM TXT and Return-Path CNAME at the partition apex", () => {
    expect(synth).toHaveResourceWithProperties(Route53Record, {
      name: `${entry.dkimSelector}._domainkey.dev.ardamails.com`,
      type: "TXT",
      records: [entry.dkimPublicKey],
    });
    expect(synth).toHaveResourceWithProperties(Route53Record, { name: "pm-bounces.dev.ardamails.com", type: "CNAME", records: ["pm.mtasv.net"] });
    expect(synth).toHaveResourceWithProperties(Route53Record, {
      name: "_dmarc.dev.ardamails.com",
      type: "TXT",
      records: ["v=DMARC1; p=quarantine; sp=quarantine; rua=mailto:dmarc-reports@arda.cards"],
    });
    expect(synth).toHaveResourceWithProperties(Route53Record, { name: "dev.ardamails.com", type: "TXT", records: ["v=spf1 include:spf.mtasv.net ~all"] });
  });

  it("writes the NS delegation into the root zone through the aliased, role-assuming provider", () => {
    const ns = Object.values(json.resource.aws_route53_record as Record<string, any>).find((r) => r.type === "NS");
    expect(ns).toMatchObject({ provider: "aws.upstream_dns", zone_id: "Z00SANDBOXROOTZONE01", name: "dev.ardamails.com" });
    expect(ns.records).toBe("${aws_route53_zone.partition_zone.name_servers}");
    const alias = (json.provider.aws as any[]).find((p) => p.alias === "upstream_dns");
    expect(alias.dynamic.assume_role.for_each).toContain("var.upstream_dns_role_arn");
    expect(json.variable.upstream_dns_role_arn.default).toBe("arn:aws:iam::100000000001:role/AllowCreatingNSRecordsRole");
  });

  it("verifies only after the NS delegation exists as well as the sending-domain records", () => {
    const verification = Object.values(json.resource.postmark_domain_verification as Record<string, any>)[0];
    const deps = verification.depends_on as string[];
    const records = json.resource.aws_route53_record as Record<string, any>;
    const ns = Object.keys(records).find((k) => records[k].type === "NS")!;
    expect(deps).toContain(`aws_route53_record.${ns}`);
    const others = Object.keys(records).filter((k) => ["dkim", "return_path"].some((p) => k.includes(p)));
    expect(others.length).toBeGreaterThanOrEqual(2);
    for (const k of others) expect(deps).toContain(`aws_route53_record.${k}`);
  });

  it("pins each provider to its account", () => {
    const [own, upstream] = json.provider.aws as any[];
    expect(own.allowed_account_ids).toEqual(["100000000003"]);
    expect(upstream.allowed_account_ids).toEqual(["100000000001"]);
  });

  it("writes secret values only through write-only arguments fed by sensitive, ephemeral variables", () => {
    expect(synth).toHaveResourceWithProperties(SecretsmanagerSecretVersion, {
      secret_string_wo: "${var.postmark_account_token}",
      secret_string_wo_version: "${var.postmark_account_token_version}",
    });
    expect(synth).toHaveResourceWithProperties(SecretsmanagerSecretVersion, { secret_string_wo: "${var.email_encryption_key_registry}" });
    for (const v of ["postmark_account_token", "email_encryption_key_registry"]) {
      expect(json.variable[v]).toMatchObject({ sensitive: true, ephemeral: true, nullable: false });
      expect(json.variable[v].default).toBeUndefined();
    }
    expect(synth).not.toMatch(/secret_string"/);
    const secrets = json.resource.aws_secretsmanager_secret as Record<string, any>;
    const key = Object.values(secrets).find((s) => s.name === "Alpha002-dev-I-EmailEncryptionKey");
    expect(key.lifecycle).toEqual({ prevent_destroy: true });
    // A rotation replaces the version: only the secret itself is protected from destruction.
    const versions = Object.values(json.resource.aws_secretsmanager_secret_version as Record<string, any>);
    expect(versions).toHaveLength(2);
    expect(versions.every((v) => v.lifecycle === undefined)).toBe(true);
    expect(
      Object.values(secrets)
        .map((s) => s.name)
        .sort(),
    ).toEqual(["Alpha002-dev-EmailPostmarkAccountToken", "Alpha002-dev-I-EmailEncryptionKey"]);
  });

  it("wires the key secret's ARN into the fallback role's policy and scopes the DNS role to its zone", () => {
    const docs = json.data.aws_iam_policy_document as Record<string, any>;
    const fallback = Object.entries(docs).find(([k]) => k.startsWith("EmailEncryptionKeyFallbackRole_permissions"))![1];
    const keySecret = Object.entries(json.resource.aws_secretsmanager_secret as Record<string, any>).find(([, s]) => s.name === "Alpha002-dev-I-EmailEncryptionKey")![0];
    expect(fallback.statement).toEqual([{ sid: "ReadKeyRegistry", effect: "Allow", actions: ["secretsmanager:GetSecretValue"], resources: [`\${aws_secretsmanager_secret.${keySecret}.arn}*`] }]);
    const dns = Object.entries(docs).find(([k]) => k.startsWith("EmailDnsProvisioningRole_permissions"))![1];
    expect(dns.statement[0].resources).toEqual(["arn:aws:route53:::hostedzone/${aws_route53_zone.partition_zone.zone_id}"]);
    const trust = Object.entries(docs).find(([k]) => k.startsWith("EmailDnsProvisioningRole_trust"))![1];
    expect(trust.statement[0].condition).toEqual([{ test: "ArnLike", variable: "aws:PrincipalArn", values: ["arn:aws:iam::100000000003:role/Alpha002-dev-*"] }]);
  });

  it("creates its zone when the model records no live zone id: no import block", () => {
    expect(json.import).toBeUndefined();
  });

  it("adopts the live zone the model records (partitions.<name>.zoneId) with an import block, as Root adopts rootZone.id", () => {
    const platform = sandboxPlatform((raw) => {
      raw.partitions.find((p: { name: string }) => p.name === "dev").zoneId = "Z0830123OPJSQ95EYD0M";
    });
    const adopted = synthJson(partitionStack(platform).stack);
    expect(adopted.import).toEqual([{ to: "aws_route53_zone.partition_zone", id: "Z0830123OPJSQ95EYD0M" }]);
    // The same zone resource (address, name), so everything that refers to it follows the adopted zone.
    expect(adopted.resource.aws_route53_zone).toEqual(json.resource.aws_route53_zone);
    expect(adopted.output.PartitionMailZoneId.value).toBe("${aws_route53_zone.partition_zone.zone_id}");
  });

  it("publishes the six outputs of the design", () => {
    expect(Object.keys(json.output).sort()).toEqual(
      ["EmailDnsProvisioningRoleArn", "EmailEncryptionKeyArn", "EmailEncryptionKeyFallbackRoleArn", "EmailPostmarkAccountTokenArn", "PartitionMailZoneId", "PartitionMailZoneName"].sort(),
    );
  });

  it("splits a DKIM value over 255 characters for Route53 (prod's 2048-bit sandbox key)", () => {
    const prod = partitionStack(sandboxPlatform(), "Alpha001", "prod");
    const dkim = Object.values(synthJson(prod.stack).resource.aws_route53_record as Record<string, any>).find((r) => String(r.name).includes("._domainkey."));
    expect(prod.entry.dkimPublicKey.length).toBeGreaterThan(255);
    const parts = (dkim.records[0] as string).split('""');
    expect(parts.length).toBe(Math.ceil(prod.entry.dkimPublicKey.length / 255));
    expect(parts.every((p) => p.length <= 255)).toBe(true);
    expect(parts.join("")).toBe(prod.entry.dkimPublicKey);
  });
});

describe("role names across partitions", () => {
  it("two partitions in one account never collide: generated names with per-partition prefixes", () => {
    const platform = sandboxPlatform();
    const roles = ["dev", "stage"].flatMap((name) => {
      const json = synthJson(partitionStack(platform, "Alpha002", name).stack);
      return Object.values(json.resource.aws_iam_role as Record<string, any>);
    });
    expect(roles.every((r) => r.name === undefined)).toBe(true);
    const prefixes = roles.map((r) => r.name_prefix);
    expect(prefixes).toEqual(["Alpha002-dev-EmailDns-", "Alpha002-dev-EmailKeyFallback-", "Alpha002-stage-EmailDns-", "Alpha002-stage-EmailKeyFallback-"]);
    expect(new Set(prefixes).size).toBe(4);
    expect(Testing.synth(partitionStack(platform, "Alpha002", "stage").stack)).toHaveResource(IamRole);
  });

  it("names a role after the live one the model records as adopted (its ARN is kept on import)", () => {
    const live = "Alpha002-stage-Email-EmailDnsProvisioningRoleNsDele-MEp15pHK7X9l";
    const platform = sandboxPlatform((raw) => {
      raw.partitions.find((p: { name: string }) => p.name === "stage").adoptedRoleNames = { EmailDnsProvisioningRole: live };
    });
    const roles = Object.values(synthJson(partitionStack(platform, "Alpha002", "stage").stack).resource.aws_iam_role as Record<string, any>);
    expect(roles.map((r) => [r.name, r.name_prefix])).toEqual([
      [live, undefined],
      [undefined, "Alpha002-stage-EmailKeyFallback-"],
    ]);
  });

  it("keeps long partition names within IAM's 38-character prefix limit, still distinct", () => {
    const a = rolePrefix("Alpha002-a-very-long-partition-name-one", "EmailKeyFallback");
    const b = rolePrefix("Alpha002-a-very-long-partition-name-two", "EmailKeyFallback");
    expect(a.length).toBeLessThanOrEqual(38);
    expect(b.length).toBeLessThanOrEqual(38);
    expect(a).not.toBe(b);
    expect(a.endsWith("-EmailKeyFallback-")).toBe(true);
  });
});

describe("state backend per account", () => {
  const platform = sandboxPlatform((raw) => {
    raw.infrastructures[1].backend = { kind: "s3", bucket: "arda-mail-state-alpha001", keyPrefix: "arda-mail", region: "us-east-1" };
    raw.infrastructures[2].backend = { kind: "cloud", organization: "arda-cards", workspacePrefix: "arda-mail-", project: "mail" };
  });

  it("local by default, an absolute path under the repository whatever the working directory", () => {
    const json = synthJson(partitionStack(sandboxPlatform(), "Alpha002", "dev").stack);
    expect(json.terraform.backend).toEqual({ local: { path: path.join(REPO_ROOT, "state/sandbox/Alpha002/Alpha002-dev-Email.tfstate") } });
  });

  it("local paths follow the App's state root (tests keep state out of the checkout); an absolute directory stays", () => {
    const platform = sandboxPlatform();
    const p = findPartition(platform, "Alpha002", "dev");
    const entry = partitionMailEntry(platform, p, sandboxContext(), SANDBOX_CONTEXT_FILE);
    const app = Testing.app({ context: { [STATE_ROOT_CONTEXT]: "/tmp/elsewhere" } });
    const json = synthJson(new PartitionEmailStack(app, platform, p, { kind: "context", entry }));
    expect(json.terraform.backend.local.path).toBe("/tmp/elsewhere/state/sandbox/Alpha002/Alpha002-dev-Email.tfstate");
    expect(localStatePath("/srv/state/Alpha002", "Alpha002-dev-Email", "/tmp/elsewhere")).toBe("/srv/state/Alpha002/Alpha002-dev-Email.tfstate");
  });

  it("S3 with encryption and S3-native locking, one key per stack", () => {
    const json = synthJson(partitionStack(platform, "Alpha001", "prod").stack);
    expect(json.terraform.backend).toEqual({ s3: { bucket: "arda-mail-state-alpha001", key: "arda-mail/Alpha001-prod-Email.tfstate", region: "us-east-1", encrypt: true, use_lockfile: true } });
  });

  it("Terraform Cloud with one workspace per stack", () => {
    const json = synthJson(partitionStack(platform, "Alpha002", "stage").stack);
    expect(json.terraform.cloud).toEqual({ organization: "arda-cards", workspaces: { name: "arda-mail-Alpha002-stage-Email", project: "mail" } });
  });
});
