import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { TerraformVariable } from "cdktf";
import { Construct } from "constructs";

export interface WriteOnlySecretProps {
  readonly secretName: string;
  readonly description: string;
  /** The Terraform variable that carries the value (see sensitiveVariable: sensitive + ephemeral). */
  readonly value: TerraformVariable;
  /** Never destroyed by Terraform (the key registry: losing it loses every encrypted token). */
  readonly preventDestroy?: boolean;
}

/**
 * A Secrets Manager secret whose value arrives only as a sensitive, ephemeral Terraform variable and
 * is written with the write-only argument `secret_string_wo`: the value is in no synthesized file,
 * no plan and no state. Terraform re-sends it only when `<variable>_version` changes: the bump
 * replaces the version resource, and Secrets Manager moves AWSCURRENT to the new value and
 * AWSPREVIOUS to the old one (measured on aws provider 5.100.0: the default destroy-then-create
 * deletes nothing while the old version holds AWSCURRENT — the provider skips that label — then
 * PutSecretValue stages the new one). So only the secret is `prevent_destroy`; its versions must
 * stay replaceable, or a rotation fails with "Instance cannot be destroyed".
 */
export class WriteOnlySecret extends Construct {
  readonly secret: SecretsmanagerSecret;
  readonly version: SecretsmanagerSecretVersion;

  constructor(scope: Construct, id: string, props: WriteOnlySecretProps) {
    super(scope, id);
    const name = props.value.friendlyUniqueId;
    const version = new TerraformVariable(scope, `${name}_version`, {
      type: "number",
      default: 1,
      nullable: false,
      description: `Version of ${name}; increase it to write a new value (write-only arguments are only sent when it changes).`,
    });
    this.secret = new SecretsmanagerSecret(this, "secret", {
      name: props.secretName,
      description: props.description,
      recoveryWindowInDays: 30,
      ...(props.preventDestroy ? { lifecycle: { preventDestroy: true } } : {}),
    });
    this.version = new SecretsmanagerSecretVersion(this, "value", {
      secretId: this.secret.id,
      secretStringWo: props.value.stringValue,
      secretStringWoVersion: version.numberValue,
    });
  }
}

/**
 * Plan-time shape check of the encryption-key registry (DQ-R1-032): a non-empty JSON object whose
 * keys are UUID v4 and whose values are base64 of exactly 64 bytes (88 characters ending `==`).
 * Wrapped in `try(…, false)` because Terraform 1.11's `&&` does not short-circuit.
 */
export const KEY_REGISTRY_CONDITION =
  '${try(alltrue(concat([length(keys(jsondecode(var.email_encryption_key_registry))) > 0], ' +
  '[for k, v in jsondecode(var.email_encryption_key_registry) : ' +
  'can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", k)) && can(regex("^[A-Za-z0-9+/]{86}==$", v))])), false)}';
