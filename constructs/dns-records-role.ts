import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import { terraformLiteral as lit } from "./terraform-literal";

export type RoleName = { readonly name: string } | { readonly namePrefix: string };

/** An IAM role's `name` or `name_prefix` argument, escaped as a Terraform literal. */
export function roleNameArgument(n: RoleName): { name: string } | { namePrefix: string } {
  return "name" in n ? { name: lit(n.name) } : { namePrefix: lit(n.namePrefix) };
}

export interface DnsRecordsRoleProps {
  /** A fixed name (Root's AllowCreatingNSRecordsRole) or a generated one (partitions: never collide). */
  readonly roleName: RoleName;
  readonly description: string;
  /** Hosted zone ids the role may change and list records in — and nothing else (references, or literals already escaped). */
  readonly zoneIds: readonly string[];
  readonly trust: DataAwsIamPolicyDocumentStatement;
  /** Optional: only these record types may be changed (Root: NS delegations only). */
  readonly recordTypes?: readonly string[];
}

/**
 * A role that can change and list Route53 records in the given zones (DQ-R1-020 generalised the
 * seed's AllowCreatingNSRecordsRole so Root and the partitions share it with different trust).
 * `route53:GetChange` is granted on change/* because Terraform waits for INSYNC through it.
 */
export class DnsRecordsRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: DnsRecordsRoleProps) {
    super(scope, id);
    const trust = new DataAwsIamPolicyDocument(this, "trust", { statement: [props.trust] });
    this.role = new IamRole(this, "role", {
      ...roleNameArgument(props.roleName),
      description: lit(props.description),
      assumeRolePolicy: trust.json,
      maxSessionDuration: 3600,
    });
    const zoneArns = props.zoneIds.map((z) => `arn:aws:route53:::hostedzone/${z}`);
    const change: DataAwsIamPolicyDocumentStatement = {
      sid: "ChangeRecordsInAllowedZones",
      effect: "Allow",
      actions: ["route53:ChangeResourceRecordSets"],
      resources: zoneArns,
      ...(props.recordTypes ? { condition: [{ test: "ForAllValues:StringEquals", variable: "route53:ChangeResourceRecordSetsRecordTypes", values: [...props.recordTypes] }] } : {}),
    };
    const policy = new DataAwsIamPolicyDocument(this, "permissions", {
      statement: [
        change,
        { sid: "ReadAllowedZones", effect: "Allow", actions: ["route53:ListResourceRecordSets", "route53:GetHostedZone"], resources: zoneArns },
        { sid: "WaitForChanges", effect: "Allow", actions: ["route53:GetChange"], resources: ["arn:aws:route53:::change/*"] },
      ],
    });
    new IamRolePolicy(this, "policy", { name: "route53-records", role: this.role.id, policy: policy.json });
  }
}
