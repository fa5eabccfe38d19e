/**
 * The takeover plan of one stack, computed from its synthesized resources and what discovery read
 * live: every import (address ← live id), every resource still to be created and why, the
 * refusals (live and model disagree dangerously), and what CloudFormation must keep, retain and
 * delete. Pure: no AWS, no files.
 */
import type { CfnExport, StackResource } from "../../lib/aws/cloudformation";
import type { LiveRole, LiveSecret } from "../../lib/aws/iam-secrets";
import type { LiveRecordSet, LiveZone } from "../../lib/aws/route53";
import type { PlanCounts } from "../../lib/plan-summary";
import type { SynthesizedResource, SynthesizedStack } from "./synthesized";

export interface LiveView {
  readonly stack: string;
  /** undefined: no CloudFormation stack of that name in the account. */
  readonly cloudFormation?: { readonly status: string; readonly resources: StackResource[]; readonly exports: CfnExport[] };
  /** Every zone name the stack declares → the live zones of that name in the stack's account. */
  readonly zonesByName: Readonly<Record<string, LiveZone[]>>;
  /** Live zone id → its record sets (the stack's zones, and the upstream zone it delegates from). */
  readonly recordsByZone: Readonly<Record<string, LiveRecordSet[]>>;
  readonly secretsByName: Readonly<Record<string, LiveSecret | null>>;
  /** Role address → the live role CloudFormation (or the fixed name) points at, null when none. */
  readonly rolesByAddress: Readonly<Record<string, LiveRole | null>>;
}

export interface PlannedImport {
  readonly address: string;
  readonly id: string;
  /** CloudFormation's logical id of the same resource, when CloudFormation owns it. */
  readonly logicalId?: string;
  /** The stack's own `import` block adopts it (a zone id the model records): listed, not written again. */
  readonly byStack?: true;
}

export interface PlannedCreate {
  readonly address: string;
  readonly why: string;
}

export interface CloudFormationPlan {
  readonly stackName: string;
  /**
   * `bridge`: retain, then replace the template with the bridge (a partition stack: everything in it is mail's).
   * `retain-only`: RootConfiguration also holds what is not mail's (DQ-013: the legacy Root role, another
   * zone) — only the adopted resources get Retain; the stack is otherwise left as it is.
   */
  readonly mode: "bridge" | "retain-only";
  /** Adopted resources and custom resources: `DeletionPolicy: Retain`, then out of the template. */
  readonly retain: string[];
  /** Left to CloudFormation to delete when the bridge template replaces the old one. */
  readonly delete: string[];
  /** The exports the bridge keeps publishing, with the values they have now. */
  readonly exports: ReadonlyArray<{ name: string; value: string }>;
}

export interface TakeoverPlan {
  readonly stack: string;
  readonly imports: PlannedImport[];
  readonly creates: PlannedCreate[];
  readonly refusals: string[];
  readonly cloudFormation?: CloudFormationPlan;
  /** From Terraform's saved plan with the import file (flows/takeover/adopt.ts): in-place updates, attribute names only. */
  readonly updates?: ReadonlyArray<{ readonly address: string; readonly attributes: string[] }>;
  /** Terraform's own counts and the write-only secrets' versions (names and numbers, never values). */
  readonly terraform?: { readonly counts: PlanCounts; readonly secretVersions: string };
}

const recordId = (zoneId: string, name: string, type: string): string => `${zoneId}_${name}_${type}`;

function logicalIdOf(cfn: LiveView["cloudFormation"], type: string, physicalId: string): string | undefined {
  return cfn?.resources.find((r) => r.type === type && r.physicalId === physicalId)?.logicalId;
}

export interface PlanOptions {
  /** RootConfiguration keeps what is not mail's: its adopted resources are only retained. */
  readonly retainOnly?: boolean;
  /** The partition of a partition stack: refusals then name the model field that fixes them. */
  readonly partition?: string;
}

/** The model's keys for adopted role names, by the role's construct id. */
const ADOPTABLE_ROLES = new Set(["EmailDnsProvisioningRole", "EmailEncryptionKeyFallbackRole"]);

export function planTakeover(synth: SynthesizedStack, live: LiveView, opts: PlanOptions = {}): TakeoverPlan {
  const imports: PlannedImport[] = [];
  const creates: PlannedCreate[] = [];
  const refusals: string[] = [];
  const cfn = live.cloudFormation;
  const alreadyImported = new Map(synth.imports.map((i) => [i.to, i.id]));
  /** zone address → live zone id it imports */
  const zoneIds = new Map<string, string>();
  const secretArns = new Map<string, string>();
  const roleNames = new Map<string, string>();
  /** CloudFormation logical ids of what the stack's own import blocks adopt (Root's zone). */
  const selfImported: string[] = [];
  const byType = (t: string): SynthesizedResource[] => synth.resources.filter((r) => r.identity.type === t);

  for (const r of byType("aws_route53_zone")) {
    const id = r.identity as { name: string };
    const zones = live.zonesByName[id.name] ?? [];
    const modelId = alreadyImported.get(r.address);
    if (zones.length > 1) {
      refusals.push(`${r.address}: ${zones.length} live hosted zones are named ${id.name} (${zones.map((z) => z.id).join(", ")}) — the takeover cannot tell which one is delegated and used`);
      continue;
    }
    if (modelId !== undefined) {
      if (zones.length === 1 && zones[0].id !== modelId) {
        refusals.push(`${r.address}: the model's zone id ${modelId} for ${id.name} is not the live one (${zones[0].id})`);
      } else if (zones.length === 0) {
        refusals.push(`${r.address}: the model's zone id ${modelId} for ${id.name} is not a live zone (no live zone has that name)`);
      } else {
        zoneIds.set(r.address, modelId);
        const logicalId = logicalIdOf(cfn, "AWS::Route53::HostedZone", modelId);
        if (logicalId) selfImported.push(logicalId);
        imports.push({ address: r.address, id: modelId, byStack: true, ...(logicalId ? { logicalId } : {}) });
      }
      continue; // the stack's own import block adopts it
    }
    if (zones.length === 0) {
      creates.push({ address: r.address, why: `no live zone named ${id.name}` });
      continue;
    }
    zoneIds.set(r.address, zones[0].id);
    const logicalId = logicalIdOf(cfn, "AWS::Route53::HostedZone", zones[0].id);
    imports.push({ address: r.address, id: zones[0].id, ...(logicalId ? { logicalId } : {}) });
  }

  for (const r of byType("aws_route53_record")) {
    const id = r.identity as Extract<SynthesizedResource["identity"], { type: "aws_route53_record" }>;
    const zoneId = "id" in id.zone ? id.zone.id : zoneIds.get(id.zone.address);
    if (!zoneId) {
      creates.push({ address: r.address, why: `its zone ${"address" in id.zone ? id.zone.address : ""} is created` });
      continue;
    }
    const sets = live.recordsByZone[zoneId];
    if (!sets) {
      refusals.push(`${r.address}: zone ${zoneId} (${id.upstream ? "the model's root zone id" : "its zone"}) is not a live zone${id.upstream ? " in the Root account" : ""}`);
      continue;
    }
    if (!sets.some((s) => s.name === id.name && s.type === id.recordType)) {
      creates.push({ address: r.address, why: `no live ${id.recordType} record ${id.name} in ${zoneId}` });
      continue;
    }
    // An upstream record (the NS delegation) is not a RecordSet of the stack: its custom resource wrote it.
    const logicalId = id.upstream ? undefined : logicalIdOf(cfn, "AWS::Route53::RecordSet", id.name);
    imports.push({ address: r.address, id: recordId(zoneId, id.name, id.recordType), ...(logicalId ? { logicalId } : {}) });
  }

  for (const r of byType("aws_secretsmanager_secret")) {
    const id = r.identity as { name: string };
    const s = live.secretsByName[id.name];
    if (!s) {
      creates.push({ address: r.address, why: `no live secret named ${id.name}` });
      continue;
    }
    secretArns.set(r.address, s.arn);
    const logicalId = logicalIdOf(cfn, "AWS::SecretsManager::Secret", s.arn);
    imports.push({ address: r.address, id: s.arn, ...(logicalId ? { logicalId } : {}) });
  }
  for (const r of byType("aws_secretsmanager_secret_version")) {
    const secret = (r.identity as { secret: string }).secret;
    creates.push({
      address: r.address,
      why: secretArns.has(secret)
        ? `writes the value from 1Password as a new AWSCURRENT version of the adopted secret (Secrets Manager keeps the live one as AWSPREVIOUS; the secret and its ARN stay)`
        : `its secret is created`,
    });
  }

  for (const r of byType("aws_iam_role")) {
    const id = r.identity as Extract<SynthesizedResource["identity"], { type: "aws_iam_role" }>;
    const role = live.rolesByAddress[r.address];
    if (!role) {
      creates.push({ address: r.address, why: id.name ? `no live role named ${id.name}` : `no live role for ${id.constructId} in the CloudFormation stack` });
      continue;
    }
    const matches = id.name ? id.name === role.name : id.namePrefix !== undefined && role.name.startsWith(id.namePrefix);
    if (!matches) {
      const fix = opts.partition && ADOPTABLE_ROLES.has(id.constructId) ? `; keep it: set partitions.${opts.partition}.adoptedRoleNames.${id.constructId} to "${role.name}" in the model` : "";
      refusals.push(
        `${r.address}: the live role ${role.name} does not have the model's ${id.name ? `name ${id.name}` : `name prefix ${id.namePrefix}`} — importing it would replace the role and change its ARN (${role.arn})${fix}`,
      );
      continue;
    }
    roleNames.set(r.address, role.name);
    const logicalId = logicalIdOf(cfn, "AWS::IAM::Role", role.name);
    imports.push({ address: r.address, id: role.name, ...(logicalId ? { logicalId } : {}) });
  }
  for (const r of byType("aws_iam_role_policy")) {
    const id = r.identity as { role: string; name: string };
    const roleName = roleNames.get(id.role);
    const role = Object.entries(live.rolesByAddress).find(([a]) => a === id.role)?.[1];
    if (roleName && role?.inlinePolicies.includes(id.name)) imports.push({ address: r.address, id: `${roleName}:${id.name}` });
    else
      creates.push({
        address: r.address,
        why: roleName ? `the adopted role ${roleName} has no inline policy ${id.name} (its CloudFormation policies are deleted when CloudFormation lets go)` : `its role is created`,
      });
  }

  for (const r of synth.resources.filter((x) => x.identity.type === "other")) {
    const t = (r.identity as { resourceType: string }).resourceType;
    creates.push({
      address: r.address,
      why: t.startsWith("postmark_") ? "a Postmark resource (no AWS counterpart; register reads Postmark's existing domain)" : `${t} has no live counterpart the takeover reads`,
    });
  }

  return {
    stack: synth.stack,
    imports: imports.sort((a, b) => a.address.localeCompare(b.address)),
    creates: creates.sort((a, b) => a.address.localeCompare(b.address)),
    refusals,
    ...(cfn ? { cloudFormation: cloudFormationPlan(live.stack, cfn, imports, selfImported, opts.retainOnly ?? false) } : {}),
  };
}

function cloudFormationPlan(stackName: string, cfn: NonNullable<LiveView["cloudFormation"]>, imports: PlannedImport[], selfImported: string[], retainOnly: boolean): CloudFormationPlan {
  const adopted = new Set([...imports.map((i) => i.logicalId).filter((x): x is string => !!x), ...selfImported]);
  const exports = cfn.exports.map((e) => ({ name: e.name, value: e.value })).sort((a, b) => a.name.localeCompare(b.name));
  if (retainOnly)
    return {
      stackName,
      mode: "retain-only",
      retain: cfn.resources
        .filter((r) => adopted.has(r.logicalId))
        .map((r) => r.logicalId)
        .sort(),
      delete: [],
      exports,
    };
  // A custom resource is retained, never deleted: its delete handler would remove the NS record Terraform now owns.
  const retain = cfn.resources.filter((r) => adopted.has(r.logicalId) || r.type.startsWith("Custom::") || r.type === "AWS::CloudFormation::CustomResource").map((r) => r.logicalId);
  const del = cfn.resources.filter((r) => !retain.includes(r.logicalId)).map((r) => r.logicalId);
  return { stackName, mode: "bridge", retain: retain.sort(), delete: del.sort(), exports };
}

/** Terraform JSON import blocks for the plan's imports (written beside the synthesized stack). */
export function importBlocks(plan: TakeoverPlan): { import: Array<{ to: string; id: string }> } {
  return { import: plan.imports.filter((i) => !i.byStack).map((i) => ({ to: i.address, id: i.id })) };
}
