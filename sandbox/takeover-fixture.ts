/**
 * The "live" system of issue 12 rebuilt in the local AWS from the seeds, for the takeover rehearsal:
 * what CDK/CloudFormation deployed on 2026-05-26 — the registrar's root zone with the Root
 * account's legacy `AddNsRecordsToAnyHostedZone` role, and per partition its zone, SPF / DMARC /
 * DKIM / Return-Path records, the NS delegation written into the root zone, both secrets with
 * values, both roles (named by CloudFormation, or as the caller says: dev's hard-coded
 * `AddNsRecordsToAnyHostedZone`, the two DNS roles the rollout log names) with their CloudFormation
 * inline policies — and a consumer stack importing the six `<infra>-<partition>-API-<Name>` exports.
 * moto's CloudFormation cannot build this (no AWS::SecretsManager::Secret, 70+ character role
 * names, Retain and export protection unfaithful), so the resources are created directly through
 * the APIs and the CloudFormation view is the stand-in's, holding the seed-shaped template and the
 * physical ids of what was created.
 */
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { CreateRoleCommand, DeleteRolePolicyCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { CfnTemplate } from "../lib/aws/cloudformation";
import { route53Request } from "../lib/aws/route53";
import type { AwsClientSettings } from "../lib/aws/settings";
import type { Partition, Platform } from "../platform/model";
import { infrastructure, PARTITION_OUTPUTS, partitionDomain, partitionSecretNames, partitionStackName, rootInfrastructure } from "../platform/names";
import { CloudFormationStandIn } from "./aws/cloudformation-standin";
import { clientConfig } from "./aws/clients";
import { createRegistrarZone, type LocalAws } from "./aws/moto";
import { generateDkimValue, type PersistedState, type StoredDomain } from "./postmark/state";

/** The DKIM selectors Postmark issued at the 2026-05-26 rollout (execution log), by partition. */
export const SEED_DKIM_SELECTORS: Readonly<Record<string, string>> = { dev: "20260526234343pm", stage: "20260527011224pm", demo: "20260527004920pm", prod: "20260527061409pm" };

/**
 * A role name as CloudFormation generates it: `<stack>-<logical id>` cut to 51 characters, `-`, 12
 * random characters (64 in all) — the shape of the two the rollout log names
 * (`Alpha002-stage-Email-EmailDnsProvisioningRoleNsDele-MEp15pHK7X9l`).
 */
export function cloudFormationRoleName(stack: string, logicalId: string): string {
  return `${`${stack}-${logicalId}`.slice(0, 51)}-${randomUUID().replace(/-/g, "").slice(0, 12)}`;
}

/**
 * The Postmark account as the live rollout left it, as a sandbox state file (`startSandbox({ statePath })`
 * loads it): each sending domain registered and verified — its DKIM key current under the seed's
 * selector, its Return-Path verified — so `register` finds it and the adopt's verification checks it.
 */
export async function writeLivePostmarkState(file: string, domains: ReadonlyArray<{ name: string; selector: string }>): Promise<void> {
  const stored: StoredDomain[] = [];
  for (const [i, d] of domains.entries()) {
    stored.push({
      ID: 1_000_001 + i,
      Name: d.name,
      ReturnPathDomain: `pm-bounces.${d.name}`,
      ReturnPathDomainVerified: true,
      current: { selector: d.selector, value: await generateDkimValue(1024) },
      dkimEverVerified: true,
      pendingVerifyCalls: 0,
      safeToRemoveRevoked: false,
      lastSelector: d.selector,
    });
  }
  const state: PersistedState = { version: 1, nextDomainId: 1_000_001 + domains.length, nextServerId: 5_000_001, domains: stored, servers: [], dns: [] };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(state), { mode: 0o600 });
}

/** The seed's exports carry the partition stack's six output names (`<fqn>-API-<Name>`). */
export const EXPORT_NAMES = PARTITION_OUTPUTS;
export const LEGACY_ROOT_ROLE = "AddNsRecordsToAnyHostedZone";
/** Stands for RootConfiguration's zone that is not mail's (the seed does not name it). */
export const OTHER_ROOT_ZONE = "not-mail.example";
const XMLNS = "https://route53.amazonaws.com/doc/2013-04-01/";

export interface FixtureRecord {
  readonly name: string;
  readonly type: string;
  readonly ttl: number;
  readonly values: readonly string[];
}

export interface LivePartition {
  readonly stack: string;
  readonly zoneId: string;
  readonly secretArns: { token: string; key: string };
  readonly secretValues: { token: string; key: string };
  readonly roles: { EmailDnsProvisioningRole: { name: string; arn: string }; EmailEncryptionKeyFallbackRole: { name: string; arn: string } };
  /** Export name → value, as the consumer stack resolves them. */
  readonly exports: Record<string, string>;
  readonly consumerStack: string;
}

export interface LiveSystem {
  readonly rootZoneId: string;
  readonly rootRoleArn: string;
  readonly partitions: Record<string, LivePartition>;
  /** CloudFormation as the takeover sees it (per account: one stand-in here, stack names are unique). */
  readonly cloudFormation: CloudFormationStandIn;
}

const esc = (s: string): string => s.replace(/[<>&'"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[c]!);

async function createZone(s: AwsClientSettings, name: string): Promise<string> {
  const body = `<?xml version="1.0" encoding="UTF-8"?><CreateHostedZoneRequest xmlns="${XMLNS}"><Name>${esc(name)}</Name><CallerReference>${randomUUID()}</CallerReference></CreateHostedZoneRequest>`;
  const xml = await route53Request(s, "POST", "/2013-04-01/hostedzone", body);
  return (/<Id>\/hostedzone\/([^<]+)<\/Id>/.exec(xml) ?? [])[1] ?? "";
}

async function nameServers(s: AwsClientSettings, zoneId: string): Promise<string[]> {
  const xml = await route53Request(s, "GET", `/2013-04-01/hostedzone/${zoneId}`);
  return [...xml.matchAll(/<NameServer>([^<]+)<\/NameServer>/g)].map((m) => m[1]);
}

async function createRecords(s: AwsClientSettings, zoneId: string, records: readonly FixtureRecord[]): Promise<void> {
  const changes = records
    .map(
      (r) =>
        `<Change><Action>CREATE</Action><ResourceRecordSet><Name>${esc(r.name)}</Name><Type>${r.type}</Type><TTL>${r.ttl}</TTL><ResourceRecords>${r.values.map((v) => `<ResourceRecord><Value>${esc(v)}</Value></ResourceRecord>`).join("")}</ResourceRecords></ResourceRecordSet></Change>`,
    )
    .join("");
  await route53Request(
    s,
    "POST",
    `/2013-04-01/hostedzone/${zoneId}/rrset`,
    `<?xml version="1.0" encoding="UTF-8"?><ChangeResourceRecordSetsRequest xmlns="${XMLNS}"><ChangeBatch><Changes>${changes}</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>`,
  );
}

async function createRole(iam: IAMClient, name: string, accountId: string, policyName: string, policy: object): Promise<string> {
  const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: "sts:AssumeRole" }] };
  const r = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify(trust) }));
  await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: policyName, PolicyDocument: JSON.stringify(policy) }));
  return r.Role!.Arn!;
}

const sdk = (c: AwsClientSettings) => ({ endpoint: c.endpoint, region: c.region, credentials: c.credentials });

/** A TXT value as Route53 stores it: quoted, split in 255-character strings. */
export function txtValue(v: string): string {
  return (v.match(/.{1,255}/g) ?? [""]).map((x) => `"${x}"`).join(" ");
}

export async function buildLiveSystem(
  aws: LocalAws,
  platform: Platform,
  /**
   * dnsRoleName: the live DNS role's name (default CloudFormation's auto-name); secretValues: the live
   * secrets' values (default generated canaries) — 1Password's, when the rehearsal adopts them unchanged.
   */
  partitions: ReadonlyArray<{ partition: Partition; records: readonly FixtureRecord[]; dnsRoleName?: string; secretValues?: { token: string; key: string } }>,
): Promise<LiveSystem> {
  const root = rootInfrastructure(platform);
  const rootCfg = await clientConfig(aws, root.awsProfile!);
  const { zoneId: rootZoneId } = await createRegistrarZone(aws, platform);
  const rootIam = new IAMClient(sdk(rootCfg));
  const cfn = new CloudFormationStandIn({
    // What CloudFormation deletes on detach: the CloudFormation-named inline policies are real in moto.
    onDelete: async (stack, _id, type, physicalId) => {
      if (type !== "AWS::IAM::Policy") return;
      const [profile, roleName, policyName] = physicalId.split("|");
      const iam = new IAMClient(sdk(await clientConfig(aws, profile)));
      await iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }));
      iam.destroy();
      void stack;
    },
  });
  let rootRoleArn: string;
  try {
    // The legacy Root role stays in RootConfiguration with its full policy (DQ-013): other users depend on it.
    rootRoleArn = await createRole(rootIam, LEGACY_ROOT_ROLE, root.accountId, "AllowCreatingNSRecords", {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "route53:ChangeResourceRecordSets", Resource: "arn:aws:route53:::hostedzone/*" }],
    });
  } finally {
    rootIam.destroy();
  }

  // RootConfiguration as the seed describes it: the imported mail root zone (DQ-R1-008), the legacy
  // role, and another hosted zone that is not mail's (DQ-013) — the takeover must leave the last two.
  const otherZoneId = await createZone(rootCfg, OTHER_ROOT_ZONE);
  cfn.createStack(
    "RootConfiguration",
    {
      Resources: {
        ArdamailsComZone: { Type: "AWS::Route53::HostedZone", Properties: { Name: platform.mailRootDomain } },
        OtherHostedZone: { Type: "AWS::Route53::HostedZone", Properties: { Name: OTHER_ROOT_ZONE } },
        AllowCreatingNSRecordsRole: { Type: "AWS::IAM::Role", Properties: { RoleName: LEGACY_ROOT_ROLE } },
      },
    },
    { ArdamailsComZone: rootZoneId, OtherHostedZone: otherZoneId, AllowCreatingNSRecordsRole: LEGACY_ROOT_ROLE },
  );

  const out: Record<string, LivePartition> = {};
  for (const { partition: p, records, secretValues, ...given } of partitions) {
    const infra = infrastructure(platform, p.infrastructure);
    const cfg = await clientConfig(aws, infra.awsProfile!);
    const stack = partitionStackName(p);
    const dnsRoleName = given.dnsRoleName ?? cloudFormationRoleName(stack, "EmailDnsProvisioningRoleNsDelegation");
    const domain = partitionDomain(platform, p);
    const zoneId = await createZone(cfg, domain);
    await createRecords(cfg, zoneId, records);
    await createRecords(rootCfg, rootZoneId, [{ name: domain, type: "NS", ttl: 172800, values: await nameServers(cfg, zoneId) }]);

    const names = partitionSecretNames(p);
    const values = secretValues ?? { token: `live-postmark-token-canary-${randomUUID()}`, key: JSON.stringify({ [randomUUID()]: Buffer.alloc(64, 7).toString("base64") }) };
    const sm = new SecretsManagerClient(sdk(cfg));
    const iam = new IAMClient(sdk(cfg));
    let arns: { token: string; key: string };
    let roles: LivePartition["roles"];
    const dnsPolicy = `${stack}-EmailDnsProvisioningRoleDefaultPolicy`.slice(0, 60);
    const fbPolicy = `${stack}-EmailEncryptionKeyFallbackRoleDefaultPolicy`.slice(0, 60);
    const fallbackName = cloudFormationRoleName(stack, "EmailEncryptionKeyFallbackRole");
    try {
      arns = {
        token: (await sm.send(new CreateSecretCommand({ Name: names.postmarkAccountToken, SecretString: values.token }))).ARN!,
        key: (await sm.send(new CreateSecretCommand({ Name: names.encryptionKey, SecretString: values.key }))).ARN!,
      };
      roles = {
        EmailDnsProvisioningRole: {
          name: dnsRoleName,
          arn: await createRole(iam, dnsRoleName, infra.accountId, dnsPolicy, {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "route53:ChangeResourceRecordSets", Resource: `arn:aws:route53:::hostedzone/${zoneId}` }],
          }),
        },
        EmailEncryptionKeyFallbackRole: {
          name: fallbackName,
          arn: await createRole(iam, fallbackName, infra.accountId, fbPolicy, { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: arns.key }] }),
        },
      };
    } finally {
      sm.destroy();
      iam.destroy();
    }

    const template = seedTemplate(p, domain, records);
    const physical: Record<string, string> = {
      PartitionMailZone: zoneId,
      ...Object.fromEntries(records.map((r, i) => [`MailRecord${i}`, r.name])),
      EmailPostmarkAccountToken: arns.token,
      EmailEncryptionKey: arns.key,
      EmailDnsProvisioningRoleNsDelegation: roles.EmailDnsProvisioningRole.name,
      EmailEncryptionKeyFallbackRole: roles.EmailEncryptionKeyFallbackRole.name,
      EmailDnsProvisioningRoleDefaultPolicy: `${infra.awsProfile}|${roles.EmailDnsProvisioningRole.name}|${dnsPolicy}`,
      EmailEncryptionKeyFallbackRoleDefaultPolicy: `${infra.awsProfile}|${roles.EmailEncryptionKeyFallbackRole.name}|${fbPolicy}`,
      NsDelegation: `${domain}-ns-delegation`,
      NsDelegationProviderFunction: `${stack}-NsDelegationProvider`,
      NsDelegationProviderRole: `${stack}-NsDelegationProviderRole`,
      NsDelegationProviderLogGroup: `/aws/lambda/${stack}-NsDelegationProvider`,
    };
    const attributes = {
      EmailDnsProvisioningRoleNsDelegation: { Arn: roles.EmailDnsProvisioningRole.arn },
      EmailEncryptionKeyFallbackRole: { Arn: roles.EmailEncryptionKeyFallbackRole.arn },
    };
    cfn.createStack(stack, template, physical, attributes);
    const consumerStack = `${p.infrastructure}-${p.name}-Application`;
    cfn.createStack(consumerStack, { Resources: {}, Outputs: Object.fromEntries(EXPORT_NAMES.map((n) => [n, { Value: { "Fn::ImportValue": `${p.infrastructure}-${p.name}-API-${n}` } }])) });
    out[p.name] = { stack, zoneId, secretArns: arns, secretValues: values, roles, exports: cfn.resolveImports(consumerStack), consumerStack };
  }
  return { rootZoneId, rootRoleArn, partitions: out, cloudFormation: cfn };
}

/** The partition stack's template in the seed's shape (logical ids as CDK named them, trimmed). */
function seedTemplate(p: Partition, domain: string, records: readonly FixtureRecord[]): CfnTemplate {
  const exp = (n: string): string => `${p.infrastructure}-${p.name}-API-${n}`;
  return {
    Resources: {
      PartitionMailZone: { Type: "AWS::Route53::HostedZone", Properties: { Name: domain } },
      ...Object.fromEntries(records.map((r, i) => [`MailRecord${i}`, { Type: "AWS::Route53::RecordSet", Properties: { Name: r.name, Type: r.type, HostedZoneId: { Ref: "PartitionMailZone" } } }])),
      EmailPostmarkAccountToken: { Type: "AWS::SecretsManager::Secret", Properties: {} },
      EmailEncryptionKey: { Type: "AWS::SecretsManager::Secret", Properties: {} },
      EmailDnsProvisioningRoleNsDelegation: { Type: "AWS::IAM::Role", Properties: {} },
      EmailEncryptionKeyFallbackRole: { Type: "AWS::IAM::Role", Properties: {} },
      EmailDnsProvisioningRoleDefaultPolicy: { Type: "AWS::IAM::Policy", Properties: {} },
      EmailEncryptionKeyFallbackRoleDefaultPolicy: { Type: "AWS::IAM::Policy", Properties: {} },
      NsDelegation: { Type: "Custom::CrossAccountNsDelegation", Properties: { ServiceToken: { "Fn::GetAtt": ["NsDelegationProviderFunction", "Arn"] } } },
      NsDelegationProviderFunction: { Type: "AWS::Lambda::Function", Properties: {} },
      NsDelegationProviderRole: { Type: "AWS::IAM::Role", Properties: {} },
      NsDelegationProviderLogGroup: { Type: "AWS::Logs::LogGroup", Properties: {} },
    },
    Outputs: {
      PartitionMailZoneId: { Value: { Ref: "PartitionMailZone" }, Export: { Name: exp("PartitionMailZoneId") } },
      PartitionMailZoneName: { Value: domain, Export: { Name: exp("PartitionMailZoneName") } },
      EmailPostmarkAccountTokenArn: { Value: { Ref: "EmailPostmarkAccountToken" }, Export: { Name: exp("EmailPostmarkAccountTokenArn") } },
      EmailEncryptionKeyArn: { Value: { Ref: "EmailEncryptionKey" }, Export: { Name: exp("EmailEncryptionKeyArn") } },
      EmailDnsProvisioningRoleArn: { Value: { "Fn::GetAtt": ["EmailDnsProvisioningRoleNsDelegation", "Arn"] }, Export: { Name: exp("EmailDnsProvisioningRoleArn") } },
      EmailEncryptionKeyFallbackRoleArn: { Value: { "Fn::GetAtt": ["EmailEncryptionKeyFallbackRole", "Arn"] }, Export: { Name: exp("EmailEncryptionKeyFallbackRoleArn") } },
    },
  };
}
