import type { CfnTemplate } from "../../lib/aws/cloudformation";
import { CloudFormationStandIn } from "../../sandbox/aws/cloudformation-standin";
import { BRIDGE_RESOURCE, bridgeTemplate, detachStep, retainStep } from "./detach";
import type { CloudFormationPlan } from "./plan";

const STACK = "Alpha002-dev-Email";
const ZONE = "Z0830123OPJSQ95EYD0M";
const NAMES = ["PartitionMailZoneId", "PartitionMailZoneName", "EmailPostmarkAccountTokenArn", "EmailEncryptionKeyArn", "EmailDnsProvisioningRoleArn", "EmailEncryptionKeyFallbackRoleArn"];
const exp = (n: string): string => `Alpha002-dev-API-${n}`;

function seedTemplate(): CfnTemplate {
  return {
    Resources: {
      PartitionMailZone: { Type: "AWS::Route53::HostedZone", Properties: { Name: "dev.ardamails.com" } },
      SpfRecord: { Type: "AWS::Route53::RecordSet", Properties: { Name: "dev.ardamails.com", Type: "TXT" } },
      TokenSecret: { Type: "AWS::SecretsManager::Secret", Properties: { Name: "tok" } },
      KeySecret: { Type: "AWS::SecretsManager::Secret", Properties: { Name: "key" } },
      DnsRole: { Type: "AWS::IAM::Role", Properties: {} },
      FallbackRole: { Type: "AWS::IAM::Role", Properties: {} },
      DnsRoleDefaultPolicy: { Type: "AWS::IAM::Policy", Properties: {} },
      NsDelegation: { Type: "Custom::CrossAccountNsDelegation", Properties: {} },
      NsDelegationProvider: { Type: "AWS::Lambda::Function", Properties: {} },
      NsDelegationLogs: { Type: "AWS::Logs::LogGroup", Properties: {} },
    },
    Outputs: {
      ZoneId: { Value: { Ref: "PartitionMailZone" }, Export: { Name: exp("PartitionMailZoneId") } },
      ZoneName: { Value: "dev.ardamails.com", Export: { Name: exp("PartitionMailZoneName") } },
      Token: { Value: { Ref: "TokenSecret" }, Export: { Name: exp("EmailPostmarkAccountTokenArn") } },
      Key: { Value: { Ref: "KeySecret" }, Export: { Name: exp("EmailEncryptionKeyArn") } },
      Dns: { Value: { "Fn::GetAtt": ["DnsRole", "Arn"] }, Export: { Name: exp("EmailDnsProvisioningRoleArn") } },
      Fallback: { Value: { "Fn::GetAtt": ["FallbackRole", "Arn"] }, Export: { Name: exp("EmailEncryptionKeyFallbackRoleArn") } },
    },
  };
}

function world(opts: ConstructorParameters<typeof CloudFormationStandIn>[0] = {}) {
  const cfn = new CloudFormationStandIn(opts);
  const arn = (n: string): string => `arn:aws:iam::100000000003:role/${n}`;
  cfn.createStack(
    STACK,
    seedTemplate(),
    {
      PartitionMailZone: ZONE,
      SpfRecord: "dev.ardamails.com",
      TokenSecret: "arn:aws:secretsmanager:us-east-1:100000000003:secret:tok-AbCdEf",
      KeySecret: "arn:aws:secretsmanager:us-east-1:100000000003:secret:key-AbCdEf",
      DnsRole: "AddNsRecordsToAnyHostedZone",
      FallbackRole: "fb",
      DnsRoleDefaultPolicy: "pol",
      NsDelegation: "ns",
      NsDelegationProvider: "fn",
      NsDelegationLogs: "lg",
    },
    { DnsRole: { Arn: arn("AddNsRecordsToAnyHostedZone") }, FallbackRole: { Arn: arn("fb") } },
  );
  cfn.createStack("Alpha002-dev-Application", { Resources: {}, Outputs: Object.fromEntries(NAMES.map((n) => [n, { Value: { "Fn::ImportValue": exp(n) } }])) });
  const plan: CloudFormationPlan = {
    stackName: STACK,
    mode: "bridge",
    retain: ["DnsRole", "FallbackRole", "KeySecret", "NsDelegation", "PartitionMailZone", "SpfRecord", "TokenSecret"],
    delete: ["DnsRoleDefaultPolicy", "NsDelegationLogs", "NsDelegationProvider"],
    exports: [],
  };
  return { cfn, plan };
}

describe("CloudFormation stand-in: the documented semantics moto 5.2.1 lacks", () => {
  it("refuses to change or delete an export another stack imports, and rolls back", async () => {
    const { cfn } = world();
    const t = seedTemplate();
    t.Outputs!.ZoneName.Value = "other.ardamails.com";
    await expect(cfn.updateStack(STACK, t)).rejects.toThrow(`Export ${exp("PartitionMailZoneName")} cannot be updated as it is in use by Alpha002-dev-Application`);
    const t2 = seedTemplate();
    delete t2.Outputs!.Token;
    await expect(cfn.updateStack(STACK, t2)).rejects.toThrow(`Export ${exp("EmailPostmarkAccountTokenArn")} cannot be deleted as it is in use by Alpha002-dev-Application`);
    expect(await cfn.getTemplate(STACK)).toEqual(seedTemplate());
    expect(cfn.deleted).toEqual([]);
    expect(await cfn.listImports(exp("PartitionMailZoneId"))).toEqual(["Alpha002-dev-Application"]);
  });

  it("deletes a resource removed by update unless the stored template retains it", async () => {
    const { cfn } = world();
    const t = seedTemplate();
    t.Resources.NsDelegationLogs.DeletionPolicy = "Retain";
    expect(await cfn.updateStack(STACK, t)).toBe("updated");
    delete t.Resources.NsDelegationLogs;
    delete t.Resources.NsDelegationProvider;
    await cfn.updateStack(STACK, t);
    expect(cfn.deleted).toEqual([`${STACK}/NsDelegationProvider`]);
    await expect(cfn.listImports("nobody")).rejects.toThrow("Export 'nobody' does not exist.");
  });
});

describe("detach: retain, then the bridge", () => {
  it("retains what Terraform adopted, deletes only the delegation mechanism, and keeps every export's value", async () => {
    const { cfn, plan } = world();
    const before = cfn.resolveImports("Alpha002-dev-Application");
    const exports = NAMES.map((n) => ({ name: exp(n), value: before[exp(n)] }));
    const p = { ...plan, exports };
    await expect(detachStep(cfn, p, { adopted: false })).rejects.toThrow(`${STACK}: Terraform has not adopted the stack's resources yet — CloudFormation cannot let go`);
    await expect(detachStep(cfn, p, { adopted: true })).rejects.toThrow(/not yet DeletionPolicy Retain — detaching would delete them/);
    expect(await retainStep(cfn, p)).toBe("done");
    expect(cfn.deleted).toEqual([]);
    expect(await retainStep(cfn, p)).toBe("already");
    expect(await detachStep(cfn, p, { adopted: true })).toBe("done");
    expect(cfn.deleted.sort()).toEqual([`${STACK}/DnsRoleDefaultPolicy`, `${STACK}/NsDelegationLogs`, `${STACK}/NsDelegationProvider`]);
    expect(cfn.managedResources(STACK)).toEqual([BRIDGE_RESOURCE]);
    expect(cfn.resolveImports("Alpha002-dev-Application")).toEqual(before);
    expect(before[exp("PartitionMailZoneId")]).toBe(ZONE);
    // Resumed: both steps recognise they are done.
    expect(await retainStep(cfn, p)).toBe("already");
    expect(await detachStep(cfn, p, { adopted: true })).toBe("already");
    expect(cfn.updates).toBe(2);
  });

  it("stops before removing anything when CloudFormation did not store Retain", async () => {
    const { cfn, plan } = world({ policyOnlyUpdatesAreNoOps: true });
    await expect(retainStep(cfn, plan)).rejects.toThrow(
      `${STACK}: CloudFormation did not store DeletionPolicy Retain on DnsRole, FallbackRole, KeySecret, NsDelegation, PartitionMailZone, SpfRecord, TokenSecret (a policy-only update answered as "no changes") — nothing was removed`,
    );
    expect(cfn.deleted).toEqual([]);
  });

  it("refuses to detach when a live export no longer has the planned value", async () => {
    const { cfn, plan } = world();
    await retainStep(cfn, plan);
    await expect(detachStep(cfn, { ...plan, exports: [{ name: exp("PartitionMailZoneId"), value: "Z0OTHER" }] }, { adopted: true })).rejects.toThrow(
      `${STACK}: before detaching, export ${exp("PartitionMailZoneId")} is "${ZONE}" (planned "Z0OTHER")`,
    );
    expect(bridgeTemplate(seedTemplate(), [{ name: exp("PartitionMailZoneId"), value: ZONE }]).Outputs).toEqual({ ZoneId: { Value: ZONE, Export: { Name: exp("PartitionMailZoneId") } } });
  });
});
