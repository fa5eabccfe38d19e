/**
 * Discovery: what is live for one of our stacks, read from its account — the CloudFormation stack
 * that built it (resources, exports), the hosted zones of the names it declares and their record
 * sets (plus the Root zone it delegates from, read with the Root account), its secrets by name and
 * the roles CloudFormation created. Read-only.
 */
import type { Infrastructure, Platform } from "../../platform/model";
import { CORPORATE_STACK, infrastructure, rootInfrastructure, ROOT_STACK } from "../../platform/names";
import type { CloudFormationOps } from "../../lib/aws/cloudformation";
import { describeSecret, getRole, type LiveRole, type LiveSecret } from "../../lib/aws/iam-secrets";
import { recordSets, zonesNamed, type LiveRecordSet, type LiveZone } from "../../lib/aws/route53";
import type { AccountSettings, AwsClientSettings } from "../../lib/aws/settings";
import { readAwsProfiles } from "../../lib/aws-config";
import { FlowError } from "../errors";
import type { LiveView } from "./plan";
import type { SynthesizedStack } from "./synthesized";

/**
 * The CloudFormation stack each of ours replaces. The seed's Root stack is `RootConfiguration`
 * (DQ-013); partition stacks kept their names (`Alpha002-dev-Email`).
 */
export function cloudFormationStackOf(stack: string): string {
  return stack === ROOT_STACK ? "RootConfiguration" : stack;
}

/** The infrastructure (account) a stack of ours lives in. */
export function infrastructureOf(platform: Platform, stack: string): Infrastructure {
  if (stack === ROOT_STACK || stack === CORPORATE_STACK) return rootInfrastructure(platform);
  const p = platform.partitions.find((x) => `${x.infrastructure}-${x.name}-Email` === stack);
  if (!p) throw new FlowError(`unknown stack "${stack}" for platform ${platform.name}`, "`arda-mail takeover --all --plan-only` lists the stacks in order.");
  return infrastructure(platform, p.infrastructure);
}

/** Pre-flight: every account the stack reads needs a profile in the model (and in the AWS config file, when given). */
export function requireProfiles(platform: Platform, stack: string, awsConfig?: string): void {
  const needed = [infrastructureOf(platform, stack), rootInfrastructure(platform)];
  const missing = needed.filter((i) => !i.awsProfile || !i.accountId);
  if (missing.length) {
    throw new FlowError(
      `takeover of ${stack} needs AWS access to ${[...new Set(missing.map((i) => i.name))].join(" and ")}: the model has no ${missing.some((i) => !i.accountId) ? "account id / " : ""}awsProfile for ${[...new Set(missing.map((i) => i.name))].join(", ")}`,
      `set infrastructures.<name>.awsProfile (and accountId) in platform/${platform.name}.platform.json to a profile of your AWS config that can read CloudFormation, Route53, IAM and Secrets Manager there.`,
      { stack, missing: missing.map((i) => i.name) },
    );
  }
  if (awsConfig === undefined) return;
  const known = readAwsProfiles(awsConfig);
  const absent = [...new Set(needed.map((i) => i.awsProfile!))].filter((p) => !known.has(p));
  if (absent.length) {
    throw new FlowError(
      `takeover of ${stack} needs AWS profile${absent.length > 1 ? "s" : ""} ${absent.join(", ")}, not in ${awsConfig}`,
      "log in (e.g. `aws sso login --profile <name>`) with a config that defines them, or point AWS_CONFIG_FILE at it; nothing was read or changed.",
      { stack, missingProfiles: absent },
    );
  }
}

export async function discover(platform: Platform, synth: SynthesizedStack, account: AccountSettings, cfn: CloudFormationOps): Promise<LiveView> {
  requireProfiles(platform, synth.stack);
  const infra = infrastructureOf(platform, synth.stack);
  const root = rootInfrastructure(platform);
  const own: AwsClientSettings = await account(infra.awsProfile!, infra.region);
  const upstream: AwsClientSettings = await account(root.awsProfile!, root.region);
  const stackName = cloudFormationStackOf(synth.stack);

  const described = await cfn.describeStack(stackName);
  const cloudFormation = described
    ? { ...described, exports: (await cfn.listExports()).filter((e) => e.exportingStack === stackName).map((e) => ({ name: e.name, value: e.value, exportingStackId: e.exportingStack })) }
    : undefined;

  const zonesByName: Record<string, LiveZone[]> = {};
  const recordsByZone: Record<string, LiveRecordSet[]> = {};
  for (const r of synth.resources) {
    if (r.identity.type === "aws_route53_zone") {
      const zones = await zonesNamed(own, r.identity.name);
      zonesByName[r.identity.name] = zones;
      for (const z of zones) recordsByZone[z.id] = await recordSets(own, z.id);
    }
  }
  for (const r of synth.resources) {
    if (r.identity.type !== "aws_route53_record" || !("id" in r.identity.zone)) continue;
    const zoneId = r.identity.zone.id;
    if (recordsByZone[zoneId]) continue;
    try {
      recordsByZone[zoneId] = await recordSets(r.identity.upstream ? upstream : own, zoneId);
    } catch (e) {
      if (!/NoSuchHostedZone|HTTP 404/.test((e as Error).message)) throw e;
    }
  }

  const secretsByName: Record<string, LiveSecret | null> = {};
  const rolesByAddress: Record<string, LiveRole | null> = {};
  for (const r of synth.resources) {
    const id = r.identity;
    if (id.type === "aws_secretsmanager_secret") secretsByName[id.name] = (await describeSecret(own, id.name)) ?? null;
    if (id.type === "aws_iam_role") {
      const cfnRole = cloudFormation?.resources.find((x) => x.type === "AWS::IAM::Role" && x.logicalId.startsWith(id.constructId));
      const name = id.name ?? cfnRole?.physicalId;
      rolesByAddress[r.address] = name ? ((await getRole(own, name)) ?? null) : null;
    }
  }
  return { stack: stackName, ...(cloudFormation ? { cloudFormation } : {}), zonesByName, recordsByZone, secretsByName, rolesByAddress };
}
