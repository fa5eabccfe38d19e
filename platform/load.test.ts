import * as fs from "node:fs";
import * as path from "node:path";
import { loadPlatform, platformFile, PlatformValidationError, ROOT_ACCOUNT_ENV, validatePlatform } from "./load";
import { MissingContextError, partitionMailEntry, readContext } from "./mail-context";
import { findPartition, partitionStackName, tenantDomain, activePartitions } from "./names";

const sandboxRaw = (): Record<string, any> => JSON.parse(fs.readFileSync(platformFile("sandbox"), "utf8"));

function problemsOf(raw: unknown, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    validatePlatform(raw, { source: "test.platform.json", env });
  } catch (e) {
    expect(e).toBeInstanceOf(PlatformValidationError);
    return [...(e as PlatformValidationError).problems];
  }
  throw new Error("expected the model to be rejected");
}

describe("platform model", () => {
  it("loads the sandbox and the real model with the same shape and stack names", () => {
    const sandbox = loadPlatform("sandbox", { env: {} });
    const arda = loadPlatform("arda", { env: { [ROOT_ACCOUNT_ENV]: "123456789012" } });
    const names = (p: typeof sandbox) => activePartitions(p).map(partitionStackName);
    expect(names(sandbox)).toEqual(["Alpha002-dev-Email", "Alpha002-stage-Email", "Alpha001-demo-Email", "Alpha001-prod-Email"]);
    expect(names(arda)).toEqual(names(sandbox));
    expect(arda.infrastructures.map((i) => [i.name, i.accountId, i.awsProfile])).toEqual([
      ["Root", "123456789012", null],
      ["Alpha001", "009765408297", "Admin-Alpha1"],
      ["Alpha002", "139852620346", "Alpha002-Admin"],
    ]);
    expect(arda.rootZone.id).toBe("Z0721066239FWCD47EJDX");
    expect(sandbox.infrastructures.map((i) => i.accountId)).not.toContain("009765408297");
  });

  it("the real model fails without the platformRoot account id, naming the field", () => {
    expect(() => loadPlatform("arda", { env: {} })).toThrow(
      /infrastructures\.Root\.accountId: required — the platformRoot AWS account id is missing \(set it in platform\/arda\.platform\.json or export ARDA_MAIL_ROOT_ACCOUNT_ID\)/,
    );
  });

  it("rejects a malformed account id", () => {
    const raw = sandboxRaw();
    raw.infrastructures[1].accountId = "00976540829";
    expect(problemsOf(raw)).toEqual(['infrastructures.Alpha001.accountId: "00976540829" is malformed — an AWS account id is exactly 12 digits']);
    expect(() => loadPlatform("arda", { env: { [ROOT_ACCOUNT_ENV]: "12-34" } })).toThrow(/infrastructures\.Root\.accountId: "12-34" is malformed/);
  });

  it("rejects adopted role names that are not IAM role names, or of an unknown role", () => {
    const raw = sandboxRaw();
    raw.partitions[0].adoptedRoleNames = { EmailDnsProvisioningRole: "x".repeat(65), Other: "AddNsRecordsToAnyHostedZone" };
    expect(problemsOf(raw)).toEqual([
      `partitions.dev.adoptedRoleNames.EmailDnsProvisioningRole: "${"x".repeat(65)}" is not an IAM role name (letters, digits, "+=,.@_-", at most 64)`,
      "partitions.dev.adoptedRoleNames.Other: unknown field; known: EmailDnsProvisioningRole, EmailEncryptionKeyFallbackRole",
    ]);
  });

  it("the real model records the live zone ids of the four partitions and the role names the rollout log records", () => {
    const arda = loadPlatform("arda", { env: { [ROOT_ACCOUNT_ENV]: "123456789012" } });
    expect(activePartitions(arda).map((p) => [p.name, p.zoneId, p.adoptedRoleNames])).toEqual([
      ["dev", "Z0830123OPJSQ95EYD0M", undefined],
      ["stage", "Z04777883Q1CKSWK2HMEO", { EmailDnsProvisioningRole: "Alpha002-stage-Email-EmailDnsProvisioningRoleNsDele-MEp15pHK7X9l" }],
      ["demo", "Z0773606AM0US4FJPIL5", undefined],
      ["prod", "Z08953673OJURK2OYVKBZ", { EmailDnsProvisioningRole: "Alpha001-prod-Email-EmailDnsProvisioningRoleNsDeleg-2fiNWHdBEaWC" }],
    ]);
    // The sandbox's zones are created by the rehearsal (ids are random): it records none.
    expect(loadPlatform("sandbox", { env: {} }).partitions.map((p) => p.zoneId)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it.each([
    ["lower case", "z0830123opjsq95eyd0m"],
    ["the API's /hostedzone/ path", "/hostedzone/Z0830123OPJSQ95EYD0M"],
    ["a zone name", "dev.ardamails.com"],
    ["too long", `Z${"A".repeat(32)}`],
  ])("rejects a partition zoneId that is not a Route53 zone id (%s)", (_what, zoneId) => {
    const raw = sandboxRaw();
    raw.partitions[0].zoneId = zoneId;
    expect(problemsOf(raw)).toEqual([`partitions.dev.zoneId: ${JSON.stringify(zoneId)} is not a Route53 hosted zone id ("Z", then 4 to 31 upper-case letters and digits)`]);
  });

  it("rejects a partition zoneId that is not a string, or empty", () => {
    const raw = sandboxRaw();
    raw.partitions[0].zoneId = 830123;
    raw.partitions[1].zoneId = "";
    expect(problemsOf(raw)).toEqual(["partitions.dev.zoneId: must be a string (got the number 830123)", "partitions.stage.zoneId: required, a non-empty string"]);
  });

  it("rejects one zone id for two partitions, or a partition zone id that is the mail root's", () => {
    const raw = sandboxRaw();
    raw.partitions[0].zoneId = "Z0830123OPJSQ95EYD0M";
    raw.partitions[1].zoneId = "Z0830123OPJSQ95EYD0M";
    raw.partitions[2].zoneId = raw.rootZone.id;
    expect(problemsOf(raw)).toEqual([
      'partitions.stage.zoneId: "Z0830123OPJSQ95EYD0M" is already partitions.dev.zoneId — each partition adopts its own zone (stage.ardamails.com)',
      'partitions.demo.zoneId: "Z00SANDBOXROOTZONE01" is already rootZone.id — each partition adopts its own zone (demo.ardamails.com)',
    ]);
  });

  it("rejects a partition label that is not DNS-safe", () => {
    const raw = sandboxRaw();
    raw.partitions[0].name = "Dev_1";
    expect(problemsOf(raw)).toContain('partitions.Dev_1.name: "Dev_1" is not a DNS-safe label (lower-case letters, digits, inner hyphens, at most 63)');
  });

  it("rejects a reserved name used as an active partition", () => {
    const raw = sandboxRaw();
    raw.partitions[4].status = "active";
    expect(problemsOf(raw)).toEqual(['partitions.kyle.name: "kyle" is a reserved name and cannot be an active partition']);
    raw.partitions[4].name = "arda";
    expect(problemsOf(raw)).toContain('partitions.arda.name: "arda" is a reserved name and cannot be an active partition');
  });

  it("rejects two partitions with one name", () => {
    const raw = sandboxRaw();
    raw.partitions.push({ ...raw.partitions[0] });
    expect(problemsOf(raw)).toEqual(['partitions: two entries with name "dev"']);
  });

  it("rejects an unknown infrastructure", () => {
    const raw = sandboxRaw();
    raw.partitions[1].infrastructure = "Alpha003";
    expect(problemsOf(raw)).toEqual(['partitions.stage.infrastructure: unknown infrastructure "Alpha003" (known: Root, Alpha001, Alpha002)']);
  });

  it("rejects a tenant label that is not DNS-safe, and a reserved tenant", () => {
    const p = loadPlatform("sandbox", { env: {} });
    const dev = findPartition(p, "Alpha002", "dev");
    expect(tenantDomain(p, dev, "acme")).toBe("acme.dev.ardamails.com");
    expect(() => tenantDomain(p, dev, "Acme Corp")).toThrow('tenant: "Acme Corp" is not a DNS-safe label (lower-case letters, digits, inner hyphens, at most 63)');
    expect(() => tenantDomain(p, dev, "-acme")).toThrow(/not a DNS-safe label/);
    expect(() => tenantDomain(p, dev, "kyle")).toThrow('tenant: "kyle" is a reserved name');
  });

  it("reports every problem at once, each starting with its field", () => {
    const raw = sandboxRaw();
    raw.mailRootDomain = "Arda Mails";
    raw.infrastructures[2].backend = { kind: "s3", bucket: "Bad_Bucket" };
    expect(problemsOf(raw)).toEqual([
      'mailRootDomain: "Arda Mails" is not a DNS-safe domain name',
      'infrastructures.Alpha002.backend.bucket: "Bad_Bucket" is not a valid S3 bucket name: it may hold only lower-case letters, digits, dots and hyphens',
      "infrastructures.Alpha002.backend.keyPrefix: required for a s3 backend",
      "infrastructures.Alpha002.backend.region: required for a s3 backend",
    ]);
  });

  it("finds partitions the way an operator names them, refusing the rest with a reason", () => {
    const p = loadPlatform("sandbox", { env: {} });
    expect(findPartition(p, "Alpha001", "prod").postmarkAccount).toBe("PostmarkProd");
    expect(() => findPartition(p, "Alpha009", "dev")).toThrow('unknown infrastructure "Alpha009" (known: Root, Alpha001, Alpha002)');
    expect(() => findPartition(p, "Alpha002", "qa")).toThrow('unknown partition "qa" (known: dev, stage, demo, prod)');
    expect(() => findPartition(p, "Alpha001", "kyle")).toThrow('partition "kyle" is suspended: it is not provisioned (its name stays reserved)');
    expect(() => findPartition(p, "Root", "arda")).toThrow('"arda" is a reserved name, not a partition');
    expect(() => findPartition(p, "Alpha001", "dev")).toThrow('partition "dev" lives on Alpha002, not Alpha001');
  });

  it("a missing DKIM context entry names the command that fills it", () => {
    const p = loadPlatform("sandbox", { env: {} });
    const dev = findPartition(p, "Alpha002", "dev");
    const file = path.join(__dirname, "sandbox.cdktf.json");
    const context = { ...readContext(file) };
    expect(partitionMailEntry(p, dev, context, file).dkimSelector).toMatch(/^\d{14}pm$/);
    delete context["partitionMail:Alpha002:dev"];
    expect(() => partitionMailEntry(p, dev, context, file)).toThrow(MissingContextError);
    expect(() => partitionMailEntry(p, dev, context, file)).toThrow(
      'Missing CDKTF context entry "partitionMail:Alpha002:dev" in platform/sandbox.cdktf.json: run `arda-mail register Alpha002 dev` to register the sending domain with Postmark and write it.',
    );
  });

  /** The sandbox platform's dev partition and its committed register entry. */
  const sandboxDevEntry = () => {
    const p = loadPlatform("sandbox", { env: {} });
    const file = path.join(__dirname, "sandbox.cdktf.json");
    const context = readContext(file);
    return { p, dev: findPartition(p, "Alpha002", "dev"), file, context, entry: context["partitionMail:Alpha002:dev"] as Record<string, string> };
  };

  it("a context entry whose DKIM host disagrees with the placement function is refused (DQ-R1-009)", () => {
    const { p, dev, file, context, entry } = sandboxDevEntry();
    const leaf = { ...context, "partitionMail:Alpha002:dev": { ...entry, dkimHost: `${entry.dkimSelector}._domainkey.acme.dev.ardamails.com` } };
    expect(() => partitionMailEntry(p, dev, leaf, file)).toThrow(/dkimHost: ".*acme\.dev\.ardamails\.com" is not where the placement function puts this domain's DKIM/);
  });

  it("rotation keys in a context entry are checked like the signing key, each problem named", () => {
    const { p, dev, file, context, entry } = sandboxDevEntry();
    const withKeys = (rotationKeys: unknown) => ({ ...context, "partitionMail:Alpha002:dev": { ...entry, rotationKeys } });
    const pending = { role: "pending", dkimSelector: "20261101000000pm", dkimPublicKey: "k=rsa;p=NEXT", dkimHost: "20261101000000pm._domainkey.dev.ardamails.com" };
    expect(partitionMailEntry(p, dev, withKeys([pending]), file).rotationKeys).toEqual([pending]);
    expect(partitionMailEntry(p, dev, withKeys([]), file)).not.toHaveProperty("rotationKeys");
    const bad = [
      { ...pending, role: "next" },
      { ...pending, dkimSelector: "20261101000001pm", dkimHost: "20261101000001pm._domainkey.acme.dev.ardamails.com" },
      { ...pending, dkimSelector: entry.dkimSelector, dkimHost: entry.dkimHost },
      { ...pending, dkimSelector: "20261101000002pm", dkimHost: "20261101000002pm._domainkey.dev.ardamails.com", dkimPublicKey: "p=" },
    ];
    let message = "";
    try {
      partitionMailEntry(p, dev, withKeys(bad), file);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.split("\n").slice(1)).toEqual([
      '  - partitionMail:Alpha002:dev.rotationKeys[0].role: must be "pending" or "revoked" (got "next")',
      '  - partitionMail:Alpha002:dev.rotationKeys[1].dkimHost: "20261101000001pm._domainkey.acme.dev.ardamails.com" is not where the placement function puts this domain\'s DKIM (20261101000001pm._domainkey.dev.ardamails.com)',
      `  - partitionMail:Alpha002:dev.rotationKeys[2].dkimSelector: ${entry.dkimSelector} is published twice`,
      "  - partitionMail:Alpha002:dev.rotationKeys[3].dkimPublicKey: not a DKIM TXT value (k=rsa;p=<base64>)",
    ]);
    expect(() => partitionMailEntry(p, dev, withKeys({ pending }), file)).toThrow("partitionMail:Alpha002:dev.rotationKeys: a list of {role, dkimSelector, dkimPublicKey, dkimHost} when present");
  });
});
