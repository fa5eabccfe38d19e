import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import { terraformLiteral as lit } from "./terraform-literal";

export interface EncryptionKeyFallbackRoleProps {
  readonly namePrefix: string;
  readonly secretArn: string;
  readonly trust: DataAwsIamPolicyDocumentStatement;
}

/**
 * The SDK-fallback path of the partition's key registry (DQ-R1-019/-020): GetSecretValue on the key
 * secret's ARN and nothing else. The trailing `*` tolerates Secrets Manager's random ARN suffix.
 */
export class EncryptionKeyFallbackRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: EncryptionKeyFallbackRoleProps) {
    super(scope, id);
    const trust = new DataAwsIamPolicyDocument(this, "trust", { statement: [props.trust] });
    this.role = new IamRole(this, "role", {
      namePrefix: lit(props.namePrefix),
      description: "Reads the partition's e-mail encryption-key registry (SDK fallback for older versions).",
      assumeRolePolicy: trust.json,
      maxSessionDuration: 3600,
    });
    const policy = new DataAwsIamPolicyDocument(this, "permissions", {
      statement: [{ sid: "ReadKeyRegistry", effect: "Allow", actions: ["secretsmanager:GetSecretValue"], resources: [`${props.secretArn}*`] }],
    });
    new IamRolePolicy(this, "policy", { name: "encryption-key-registry-read", role: this.role.id, policy: policy.json });
  }
}
