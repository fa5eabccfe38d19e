import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { DnsRecordsRole, type RoleName } from "../constructs/dns-records-role";
import { EncryptionKeyFallbackRole } from "../constructs/encryption-key-fallback-role";
import { DkimValues } from "../constructs/postmark-sending-domain";
import { sensitiveVariable } from "../constructs/sensitive-variable";
import { keyRegistryCondition, WriteOnlySecret } from "../constructs/write-only-secret";
import type { Partition, PartitionRoleNames, Platform } from "../platform/model";
import { infrastructure, partitionDomain, partitionFqn, partitionSecretNames, partitionStackName } from "../platform/names";
import { MailZoneStack } from "./mail-zone-stack";
import { terraformLiteral as lit } from "../constructs/terraform-literal";
/** IAM `name_prefix` is at most 38 characters; long partition names keep a unique, readable prefix. */
export function rolePrefix(fqn: string, purpose: string): string {
  const full = `${fqn}-${purpose}-`;
  if (full.length <= 38) return full;
  let h = 0;
  for (const c of fqn) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  const tag = h.toString(36).slice(0, 5);
  return `${fqn.slice(0, 38 - purpose.length - tag.length - 3)}-${tag}-${purpose}-`;
}

/** The adopted live role's name when the model records one (a takeover keeps its ARN), else a fresh prefix. */
function roleName(p: Partition, role: keyof PartitionRoleNames, prefix: string): RoleName {
  const live = p.adoptedRoleNames?.[role];
  return live ? { name: live } : { namePrefix: prefix };
}

/**
 * `<infra>-<partition>-Email`, in the partition's account: the partition mail zone and its NS
 * delegation upstream, the sending domain's records, the two secrets (values only through
 * write-only arguments) and the two STS-assumable roles (DQ-R1-019/-020/-032).
 */
export class PartitionEmailStack extends MailZoneStack {
  constructor(scope: Construct, platform: Platform, partition: Partition, dkim: DkimValues) {
    const infra = infrastructure(platform, partition.infrastructure);
    const domain = partitionDomain(platform, partition);
    super(scope, partitionStackName(partition), platform, {
      infrastructure: infra,
      domain,
      zoneId: "partition_zone",
      zoneComment: `Arda ${partition.name} partition mail (${domain}); managed by arda-mail`,
      ...(partition.zoneId ? { adoptZoneId: partition.zoneId } : {}),
      postmarkAccount: partition.postmarkAccount,
      dkim,
    });
    const fqn = partitionFqn(partition);

    const names = partitionSecretNames(partition);
    const token = new WriteOnlySecret(this, "EmailPostmarkAccountToken", {
      secretName: lit(names.postmarkAccountToken),
      description: lit(`Postmark account token (${partition.postmarkAccount}) for the ${partition.name} partition.`),
      value: this.postmarkAccountToken,
    });
    const registry = sensitiveVariable(
      this,
      "email_encryption_key_registry",
      'JSON registry {"<lower-case uuid>": "<base64 of 64 bytes>"}, newest last, at most 65,536 bytes (from 1Password; never written to state).',
      {
        condition: keyRegistryCondition("email_encryption_key_registry"),
        errorMessage:
          "email_encryption_key_registry must be a non-empty JSON object of at most 65,536 bytes mapping lower-case UUIDs to distinct base64 values of exactly 64 bytes (run `arda-mail keys check`: it applies the same rule).",
      },
    );
    const key = new WriteOnlySecret(this, "EmailEncryptionKey", {
      secretName: lit(names.encryptionKey),
      description: lit(`E-mail server-token encryption-key registry of the ${partition.name} partition (source of truth: 1Password).`),
      value: registry,
      preventDestroy: true,
    });

    // Any role of this partition (`<fqn>-*`, e.g. the operations pod role) may assume these (DQ-R1-020).
    const trust = {
      effect: "Allow",
      actions: ["sts:AssumeRole"],
      principals: [{ type: "AWS", identifiers: [lit(`arn:aws:iam::${infra.accountId}:root`)] }],
      condition: [{ test: "ArnLike", variable: "aws:PrincipalArn", values: [lit(`arn:aws:iam::${infra.accountId}:role/${fqn}-*`)] }],
    };
    const dnsRole = new DnsRecordsRole(this, "EmailDnsProvisioningRole", {
      roleName: roleName(partition, "EmailDnsProvisioningRole", rolePrefix(fqn, "EmailDns")),
      description: `Provisions tenant mail records in ${domain}.`,
      zoneIds: [this.zone.zoneId],
      trust,
    });
    const fallbackRole = new EncryptionKeyFallbackRole(this, "EmailEncryptionKeyFallbackRole", {
      roleName: roleName(partition, "EmailEncryptionKeyFallbackRole", rolePrefix(fqn, "EmailKeyFallback")),
      secretArn: key.secret.arn,
      trust,
    });

    new TerraformOutput(this, "PartitionMailZoneId", { value: this.zone.zoneId });
    new TerraformOutput(this, "PartitionMailZoneName", { value: this.zone.name });
    new TerraformOutput(this, "EmailPostmarkAccountTokenArn", { value: token.secret.arn });
    new TerraformOutput(this, "EmailEncryptionKeyArn", { value: key.secret.arn });
    new TerraformOutput(this, "EmailDnsProvisioningRoleArn", { value: dnsRole.role.arn });
    new TerraformOutput(this, "EmailEncryptionKeyFallbackRoleArn", { value: fallbackRole.role.arn });
  }
}
