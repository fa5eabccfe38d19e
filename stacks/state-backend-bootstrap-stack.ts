import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { accountProvider } from "../constructs/aws-account-provider";
import { terraformLiteral as lit } from "../constructs/terraform-literal";
import type { Infrastructure } from "../platform/model";

/** The state bucket of one AWS account: `arda-mail-tfstate-<account id>` unless the model names another. */
export function defaultStateBucket(infra: Pick<Infrastructure, "accountId">): string {
  return `arda-mail-tfstate-${infra.accountId}`;
}

export function bootstrapStackName(infra: Pick<Infrastructure, "name">): string {
  return `${infra.name}-StateBackend`;
}

export interface StateBackendBootstrapProps {
  readonly infrastructure: Infrastructure;
  readonly platformName: string;
  readonly bucket: string;
  /** Local state file of this stack (it cannot keep its state in the bucket it creates). */
  readonly statePath: string;
}

/**
 * The chicken-and-egg stack: creates the S3 bucket every other stack of this account keeps its
 * state in, applied once with LOCAL state. Versioned (recover an overwritten state), encrypted at
 * rest, all public access blocked, and a policy refusing any request not made over TLS.
 */
export class StateBackendBootstrapStack extends TerraformStack {
  readonly bucket: S3Bucket;

  constructor(scope: Construct, id: string, props: StateBackendBootstrapProps) {
    super(scope, id);
    // A backend block is not a template: its path goes in as it is (no escape).
    new LocalBackend(this, { path: props.statePath });
    accountProvider(this, props.infrastructure, props.platformName);

    this.bucket = new S3Bucket(this, "state_bucket", {
      bucket: lit(props.bucket),
      // Losing the state bucket orphans every resource of the account: never destroyed by Terraform.
      lifecycle: { preventDestroy: true },
    });
    new S3BucketVersioningA(this, "state_bucket_versioning", {
      bucket: this.bucket.id,
      versioningConfiguration: { status: "Enabled" },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, "state_bucket_encryption", {
      bucket: this.bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true }],
    });
    const publicBlock = new S3BucketPublicAccessBlock(this, "state_bucket_public_access", {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketPolicy(this, "state_bucket_tls_only", {
      bucket: this.bucket.id,
      policy: lit(
        JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "DenyInsecureTransport",
              Effect: "Deny",
              Principal: "*",
              Action: "s3:*",
              Resource: [`arn:aws:s3:::${props.bucket}`, `arn:aws:s3:::${props.bucket}/*`],
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
          ],
        }),
      ),
      // S3 rejects a bucket policy while the public-access block is being applied.
      dependsOn: [publicBlock],
    });
    new TerraformOutput(this, "state_bucket_name", { value: this.bucket.bucket });
    new TerraformOutput(this, "state_bucket_arn", { value: this.bucket.arn });
  }
}
