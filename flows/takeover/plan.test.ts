import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { sandboxPlatform } from "../../testing/stacks";
import { synthPlatform } from "../synth";
import { importBlocks, planTakeover, type LiveView } from "./plan";
import { readSynthesizedStack, type SynthesizedStack } from "./synthesized";

const ROOT_ZONE = "Z00SANDBOXROOTZONE01";
const DEV_ZONE = "Z0830123OPJSQ95EYD0M";
const ACCT = "100000000003";
const STACK = "Alpha002-dev-Email";

describe("takeover plan (synthesized stack × live view)", () => {
  let dir: string;
  let dev: SynthesizedStack;
  let root: SynthesizedStack;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "takeover-plan-"));
    const r = synthPlatform({ platform: sandboxPlatform(), outdir: dir, hcl: false, stacks: ["Root", STACK] });
    dev = readSynthesizedStack(STACK, path.join(r.stackDirs[STACK], "cdk.tf.json"));
    root = readSynthesizedStack("Root", path.join(r.stackDirs.Root, "cdk.tf.json"));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function liveDev(over: Partial<LiveView> = {}): LiveView {
    const dkim = (dev.resources.find((r) => r.address.includes("dkim"))!.identity as { name: string }).name;
    const roleArn = (n: string): string => `arn:aws:iam::${ACCT}:role/${n}`;
    return {
      stack: STACK,
      cloudFormation: {
        status: "CREATE_COMPLETE",
        resources: [
          { logicalId: "PartitionMailZone1A2B3C4D", type: "AWS::Route53::HostedZone", physicalId: DEV_ZONE, status: "CREATE_COMPLETE" },
          { logicalId: "SpfRecordABCD", type: "AWS::Route53::RecordSet", physicalId: "dev.ardamails.com", status: "CREATE_COMPLETE" },
          { logicalId: "NsDelegationCustomResource1", type: "Custom::CrossAccountNsDelegation", physicalId: "ns-deleg-1", status: "CREATE_COMPLETE" },
          { logicalId: "NsDelegationProviderFn", type: "AWS::Lambda::Function", physicalId: "fn-1", status: "CREATE_COMPLETE" },
          { logicalId: "EmailDnsProvisioningRoleNsDele1234", type: "AWS::IAM::Role", physicalId: "Alpha002-dev-EmailDns-abc", status: "CREATE_COMPLETE" },
          { logicalId: "EmailDnsProvisioningRoleDefaultPolicy99", type: "AWS::IAM::Policy", physicalId: "Alpha-Email-Defa-XYZ", status: "CREATE_COMPLETE" },
        ],
        exports: [{ name: "Alpha002-dev-API-PartitionMailZoneId", value: DEV_ZONE, exportingStackId: "x" }],
      },
      zonesByName: { "dev.ardamails.com": [{ id: DEV_ZONE, name: "dev.ardamails.com" }] },
      recordsByZone: {
        [DEV_ZONE]: [
          { name: "dev.ardamails.com", type: "TXT" },
          { name: "_dmarc.dev.ardamails.com", type: "TXT" },
          { name: dkim, type: "TXT" },
          { name: "pm-bounces.dev.ardamails.com", type: "CNAME" },
        ],
        [ROOT_ZONE]: [{ name: "dev.ardamails.com", type: "NS" }],
      },
      secretsByName: {
        "Alpha002-dev-EmailPostmarkAccountToken": { name: "x", arn: `arn:aws:secretsmanager:us-east-1:${ACCT}:secret:tok-AbCdEf` },
      },
      rolesByAddress: {
        "aws_iam_role.EmailDnsProvisioningRole_role_83F4D6F0": { name: "Alpha002-dev-EmailDns-abc", arn: roleArn("Alpha002-dev-EmailDns-abc"), inlinePolicies: ["Alpha-Email-Defa-XYZ"] },
        "aws_iam_role.EmailEncryptionKeyFallbackRole_role_76697938": null,
      },
      ...over,
    };
  }

  it("imports every live resource under its Terraform address and says why the rest is created", () => {
    const secretNames = dev.resources.filter((r) => r.identity.type === "aws_secretsmanager_secret").map((r) => (r.identity as { name: string }).name);
    const live = liveDev({ secretsByName: Object.fromEntries(secretNames.map((n, i) => [n, { name: n, arn: `arn:aws:secretsmanager:us-east-1:${ACCT}:secret:${n}-Ab${i}` }])) });
    const plan = planTakeover(dev, live);
    expect(plan.refusals).toEqual([]);
    const ids = Object.fromEntries(plan.imports.map((i) => [i.address, i.id]));
    expect(ids["aws_route53_zone.partition_zone"]).toBe(DEV_ZONE);
    expect(ids["aws_route53_record.ns_delegation_ns_23B72064"]).toBe(`${ROOT_ZONE}_dev.ardamails.com_NS`);
    expect(ids["aws_route53_record.sending_domain_policy_spf_6757ABFA"]).toBe(`${DEV_ZONE}_dev.ardamails.com_TXT`);
    expect(ids["aws_iam_role.EmailDnsProvisioningRole_role_83F4D6F0"]).toBe("Alpha002-dev-EmailDns-abc");
    expect(plan.imports.filter((i) => i.address.startsWith("aws_secretsmanager_secret.")).map((i) => i.id)).toHaveLength(2);
    expect(plan.imports.find((i) => i.address === "aws_route53_zone.partition_zone")!.logicalId).toBe("PartitionMailZone1A2B3C4D");
    const creates = Object.fromEntries(plan.creates.map((c) => [c.address, c.why]));
    expect(creates["aws_iam_role.EmailEncryptionKeyFallbackRole_role_76697938"]).toBe("no live role for EmailEncryptionKeyFallbackRole in the CloudFormation stack");
    expect(creates["aws_iam_role_policy.EmailDnsProvisioningRole_policy_366AA552"]).toMatch(/^the adopted role Alpha002-dev-EmailDns-abc has no inline policy route53-records/);
    expect(creates["aws_secretsmanager_secret_version.EmailEncryptionKey_value_05531657"]).toMatch(/new AWSCURRENT version of the adopted secret/);
    expect(creates["postmark_domain_verification.sending_domain_verification_F8C30178"]).toMatch(/Postmark resource/);
    // CloudFormation: adopted resources and the custom resource are retained; the Lambda and the CFN policy deleted.
    expect(plan.cloudFormation).toEqual({
      stackName: STACK,
      mode: "bridge",
      retain: ["EmailDnsProvisioningRoleNsDele1234", "NsDelegationCustomResource1", "PartitionMailZone1A2B3C4D", "SpfRecordABCD"],
      delete: ["EmailDnsProvisioningRoleDefaultPolicy99", "NsDelegationProviderFn"],
      exports: [{ name: "Alpha002-dev-API-PartitionMailZoneId", value: DEV_ZONE }],
    });
    expect(importBlocks(plan).import).toContainEqual({ to: "aws_route53_zone.partition_zone", id: DEV_ZONE });
  });

  it("RootConfiguration is only retained: what is not mail's (the legacy role, another zone) is never deleted", () => {
    const live: LiveView = {
      stack: "RootConfiguration",
      cloudFormation: {
        status: "UPDATE_COMPLETE",
        resources: [
          { logicalId: "ArdamailsZone", type: "AWS::Route53::HostedZone", physicalId: ROOT_ZONE, status: "IMPORT_COMPLETE" },
          { logicalId: "OtherZone", type: "AWS::Route53::HostedZone", physicalId: "Z0OTHERZONE", status: "CREATE_COMPLETE" },
          { logicalId: "AllowCreatingNSRecordsRole", type: "AWS::IAM::Role", physicalId: "AddNsRecordsToAnyHostedZone", status: "CREATE_COMPLETE" },
        ],
        exports: [],
      },
      zonesByName: { "ardamails.com": [{ id: ROOT_ZONE, name: "ardamails.com" }] },
      recordsByZone: { [ROOT_ZONE]: [{ name: "ardamails.com", type: "TXT" }] },
      secretsByName: {},
      rolesByAddress: { "aws_iam_role.AllowCreatingNSRecordsRole_role_DEA78536": null },
    };
    const plan = planTakeover(root, live, { retainOnly: true });
    expect(plan.cloudFormation).toEqual({ stackName: "RootConfiguration", mode: "retain-only", retain: ["ArdamailsZone"], delete: [], exports: [] });
    // The zone is listed as the stack's own import (Root's block), the record through the import file.
    expect(plan.imports.map((i) => `${i.address}${i.byStack ? " (own block)" : ""}`)).toEqual(["aws_route53_record.apex_policy_spf_44A3215C", "aws_route53_zone.mail_root_zone (own block)"]);
    expect(importBlocks(plan).import.map((i) => i.to)).toEqual(["aws_route53_record.apex_policy_spf_44A3215C"]);
  });

  it("plans creation when nothing is live (no CloudFormation stack)", () => {
    const plan = planTakeover(dev, { stack: STACK, zonesByName: {}, recordsByZone: { [ROOT_ZONE]: [] }, secretsByName: {}, rolesByAddress: {} });
    expect(plan.imports).toEqual([]);
    expect(plan.refusals).toEqual([]);
    expect(plan.cloudFormation).toBeUndefined();
    expect(plan.creates.find((c) => c.address === "aws_route53_zone.partition_zone")!.why).toBe("no live zone named dev.ardamails.com");
    expect(plan.creates.find((c) => c.address === "aws_route53_record.ns_delegation_ns_23B72064")!.why).toBe(`no live NS record dev.ardamails.com in ${ROOT_ZONE}`);
    expect(plan.creates.find((c) => c.address === "aws_route53_record.sending_domain_policy_spf_6757ABFA")!.why).toBe("its zone aws_route53_zone.partition_zone is created");
  });

  it("refuses two live zones of one name", () => {
    const plan = planTakeover(
      dev,
      liveDev({
        zonesByName: {
          "dev.ardamails.com": [
            { id: DEV_ZONE, name: "dev.ardamails.com" },
            { id: "Z0SECONDZONE", name: "dev.ardamails.com" },
          ],
        },
      }),
    );
    expect(plan.refusals).toContain(
      `aws_route53_zone.partition_zone: 2 live hosted zones are named dev.ardamails.com (${DEV_ZONE}, Z0SECONDZONE) — the takeover cannot tell which one is delegated and used`,
    );
  });

  it("refuses a model zone id that is not the live one, or not live at all", () => {
    const live = (zones: Array<{ id: string; name: string }>): LiveView => ({ stack: "Root", zonesByName: { "ardamails.com": zones }, recordsByZone: {}, secretsByName: {}, rolesByAddress: {} });
    expect(planTakeover(root, live([{ id: "Z0721066239FWCD47EJDX", name: "ardamails.com" }])).refusals).toContain(
      `aws_route53_zone.mail_root_zone: the model's zone id ${ROOT_ZONE} for ardamails.com is not the live one (Z0721066239FWCD47EJDX)`,
    );
    expect(planTakeover(root, live([])).refusals).toContain(`aws_route53_zone.mail_root_zone: the model's zone id ${ROOT_ZONE} for ardamails.com is not a live zone (no live zone has that name)`);
    // The delegation of a partition into a root zone that is not live.
    const { [ROOT_ZONE]: _gone, ...rest } = liveDev().recordsByZone;
    expect(planTakeover(dev, liveDev({ recordsByZone: rest })).refusals).toContain(
      `aws_route53_record.ns_delegation_ns_23B72064: zone ${ROOT_ZONE} (the model's root zone id) is not a live zone in the Root account`,
    );
  });

  it("refuses a live role whose name the model would replace (its ARN is exported)", () => {
    const plan = planTakeover(
      dev,
      liveDev({
        rolesByAddress: {
          "aws_iam_role.EmailDnsProvisioningRole_role_83F4D6F0": {
            name: "Alpha002-stage-Email-EmailDnsProvisioningRoleNsDele-MEp15pHK7X9l",
            arn: `arn:aws:iam::${ACCT}:role/Alpha002-stage-Email-EmailDnsProvisioningRoleNsDele-MEp15pHK7X9l`,
            inlinePolicies: [],
          },
        },
      }),
    );
    expect(plan.refusals).toEqual([
      `aws_iam_role.EmailDnsProvisioningRole_role_83F4D6F0: the live role Alpha002-stage-Email-EmailDnsProvisioningRoleNsDele-MEp15pHK7X9l does not have the model's name prefix Alpha002-dev-EmailDns- — importing it would replace the role and change its ARN (arn:aws:iam::${ACCT}:role/Alpha002-stage-Email-EmailDnsProvisioningRoleNsDele-MEp15pHK7X9l)`,
    ]);
  });
});
