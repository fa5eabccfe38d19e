import { isDnsLabel } from "./dns-name";
import type { CorporateAsset, Infrastructure, Partition, Platform, PostmarkAccount } from "./model";

/**
 * Names derived from the model. Stack names are immutable once deployed: change nothing here
 * without a migration plan.
 */
export const ROOT_STACK = "Root";
export const CORPORATE_STACK = "Corporate";

/** `<infra>-<partition>`: the seed's "fqn", prefix of every per-partition AWS name. */
export function partitionFqn(p: Pick<Partition, "infrastructure" | "name">): string {
  return `${p.infrastructure}-${p.name}`;
}

export function partitionStackName(p: Pick<Partition, "infrastructure" | "name">): string {
  return `${partitionFqn(p)}-Email`;
}

export function partitionDomain(platform: Platform, p: Pick<Partition, "name">): string {
  return `${p.name}.${platform.mailRootDomain}`;
}

export function corporateDomain(platform: Platform): string {
  return `${platform.corporate.label}.${platform.mailRootDomain}`;
}

/** `<tenant>.<partition>.<root>` (DQ-001/DQ-010); tenants inherit the partition's DKIM. */
export function tenantDomain(platform: Platform, partition: Pick<Partition, "name">, tenant: string): string {
  if (!isDnsLabel(tenant)) {
    throw new Error(`tenant: "${tenant}" is not a DNS-safe label (lower-case letters, digits, inner hyphens, at most 63)`);
  }
  if (platform.reservedNames.includes(tenant)) throw new Error(`tenant: "${tenant}" is a reserved name`);
  return `${tenant}.${partitionDomain(platform, partition)}`;
}

export function activePartitions(platform: Platform): Partition[] {
  return platform.partitions.filter((p) => p.status === "active");
}

export function infrastructure(platform: Platform, name: string): Infrastructure {
  const found = platform.infrastructures.find((i) => i.name === name);
  if (!found) throw new Error(`unknown infrastructure "${name}" (known: ${platform.infrastructures.map((i) => i.name).join(", ")})`);
  return found;
}

export function rootInfrastructure(platform: Platform): Infrastructure {
  return platform.infrastructures.find((i) => i.kind === "platformRoot")!;
}

export function postmarkAccount(platform: Platform, name: string): PostmarkAccount {
  const found = platform.postmarkAccounts.find((a) => a.name === name);
  if (!found) throw new Error(`unknown Postmark account "${name}"`);
  return found;
}

/** Look a partition up the way an operator names it; every refusal says why. */
export function findPartition(platform: Platform, infra: string, name: string): Partition {
  if (!platform.infrastructures.some((i) => i.name === infra)) {
    throw new Error(`unknown infrastructure "${infra}" (known: ${platform.infrastructures.map((i) => i.name).join(", ")})`);
  }
  const p = platform.partitions.find((x) => x.name === name);
  if (!p) {
    if (platform.reservedNames.includes(name)) throw new Error(`"${name}" is a reserved name, not a partition`);
    throw new Error(
      `unknown partition "${name}" (known: ${activePartitions(platform)
        .map((x) => x.name)
        .join(", ")})`,
    );
  }
  if (p.infrastructure !== infra) throw new Error(`partition "${name}" lives on ${p.infrastructure}, not ${infra}`);
  if (p.status !== "active") throw new Error(`partition "${name}" is ${p.status}: it is not provisioned (its name stays reserved)`);
  if (platform.reservedNames.includes(name)) throw new Error(`"${name}" is a reserved name`);
  return p;
}

/** 1Password reference of a partition's Postmark account token (`op://Arda-DevOAM/Postmark/credential`). */
export function partitionPostmarkTokenRef(p: Pick<Partition, "vault">): string {
  return `op://${p.vault}/Postmark/credential`;
}

/** 1Password reference of a partition's encryption-key registry (DQ-R1-032). */
export function partitionKeyRegistryRef(p: Pick<Partition, "vault">): string {
  return `op://${p.vault}/EmailEncryptionKey/registry`;
}

/** 1Password reference of a Corporate asset's Postmark server token (written by `corporate provision`). */
export function corporateServerTokenRef(platform: Pick<Platform, "corporate">, asset: Pick<CorporateAsset, "serverTokenItem">): string {
  return `op://${platform.corporate.vault}/${asset.serverTokenItem}/credential`;
}

/** Secrets Manager names of a partition (DQ-R1-019/-032). */
export function partitionSecretNames(p: Pick<Partition, "infrastructure" | "name">): { postmarkAccountToken: string; encryptionKey: string } {
  const fqn = partitionFqn(p);
  return { postmarkAccountToken: `${fqn}-EmailPostmarkAccountToken`, encryptionKey: `${fqn}-I-EmailEncryptionKey` };
}

/** The six outputs every partition stack publishes (names fixed by the design). */
export const PARTITION_OUTPUTS = [
  "PartitionMailZoneId",
  "PartitionMailZoneName",
  "EmailPostmarkAccountTokenArn",
  "EmailEncryptionKeyArn",
  "EmailDnsProvisioningRoleArn",
  "EmailEncryptionKeyFallbackRoleArn",
] as const;
