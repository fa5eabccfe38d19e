import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { REGISTRY_ID_PATTERN, REGISTRY_MAX_BYTES, REGISTRY_VALUE_PATTERN } from "../platform/key-registry";

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
 * Plan-time check of the encryption-key registry: the rule of platform/key-registry.ts (the one
 * `keys check` applies) as a Terraform condition — a JSON object of at most REGISTRY_MAX_BYTES, at
 * least one entry, every id and value matching the shared patterns, no value twice. Wrapped in
 * `try(…, false)` because Terraform 1.11's `&&` does not short-circuit.
 */
export function keyRegistryCondition(variable: string): string {
  const v = `var.${variable}`;
  const decoded = `jsondecode(${v})`;
  return (
    `\${try(alltrue(concat([length(${v}) <= ${REGISTRY_MAX_BYTES}, length(keys(${decoded})) > 0, length(distinct(values(${decoded}))) == length(${decoded})], ` +
    `[for k, v in ${decoded} : can(regex("${REGISTRY_ID_PATTERN}", k)) && can(regex("${REGISTRY_VALUE_PATTERN}", v))])), false)}`
  );
}
