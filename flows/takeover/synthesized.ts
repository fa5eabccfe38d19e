/**
 * What the takeover needs from one synthesized stack (`cdk.tf.json`): each resource's address and
 * the few arguments that identify its live counterpart. Read from the synth of the selected
 * platform, so addresses are exactly what Terraform will plan.
 */
import * as fs from "node:fs";

export type Identity =
  | { readonly type: "aws_route53_zone"; readonly name: string }
  /** zone: a zone address of this stack (`aws_route53_zone.x`) or a literal zone id. */
  | { readonly type: "aws_route53_record"; readonly zone: { address: string } | { id: string }; readonly name: string; readonly recordType: string; readonly upstream: boolean }
  | { readonly type: "aws_secretsmanager_secret"; readonly name: string }
  | { readonly type: "aws_secretsmanager_secret_version"; readonly secret: string }
  /** constructId: the construct holding the role (`EmailDnsProvisioningRole`), CloudFormation's logical-id stem too. */
  | { readonly type: "aws_iam_role"; readonly constructId: string; readonly name?: string; readonly namePrefix?: string }
  | { readonly type: "aws_iam_role_policy"; readonly role: string; readonly name: string }
  | { readonly type: "other"; readonly resourceType: string };

export interface SynthesizedResource {
  /** `aws_route53_zone.partition_zone` */
  readonly address: string;
  readonly identity: Identity;
}

export interface SynthesizedStack {
  readonly stack: string;
  readonly resources: SynthesizedResource[];
  /** Import blocks the stack already carries (Root adopts the registrar's zone itself). */
  readonly imports: ReadonlyArray<{ to: string; id: string }>;
}

type Json = Record<string, unknown>;
const REF = /^\$\{([a-z0-9_]+\.[A-Za-z0-9_-]+)\.[a-z_]+\}$/;

function ref(v: unknown): string | undefined {
  return typeof v === "string" ? REF.exec(v)?.[1] : undefined;
}
function str(v: unknown, what: string): string {
  if (typeof v !== "string" || !v) throw new Error(`synthesized ${what}: expected a string, got ${JSON.stringify(v)}`);
  return v;
}

function identify(type: string, body: Json, address: string): Identity {
  switch (type) {
    case "aws_route53_zone":
      return { type, name: str(body.name, `${address}.name`) };
    case "aws_route53_record": {
      const zoneRef = ref(body.zone_id);
      return {
        type,
        zone: zoneRef ? { address: zoneRef } : { id: str(body.zone_id, `${address}.zone_id`) },
        name: str(body.name, `${address}.name`).toLowerCase(),
        recordType: str(body.type, `${address}.type`),
        upstream: body.provider === "aws.upstream_dns",
      };
    }
    case "aws_secretsmanager_secret":
      return { type, name: str(body.name, `${address}.name`) };
    case "aws_secretsmanager_secret_version":
      return { type, secret: ref(body.secret_id) ?? str(body.secret_id, `${address}.secret_id`) };
    case "aws_iam_role": {
      const meta = (body["//"] as Json | undefined)?.metadata as Json | undefined;
      const segments = String(meta?.path ?? "").split("/");
      return {
        type,
        constructId: segments.length >= 3 ? segments[segments.length - 2] : (segments[segments.length - 1] ?? address),
        ...(typeof body.name === "string" ? { name: body.name } : {}),
        ...(typeof body.name_prefix === "string" ? { namePrefix: body.name_prefix } : {}),
      };
    }
    case "aws_iam_role_policy":
      return { type, role: ref(body.role) ?? str(body.role, `${address}.role`), name: str(body.name, `${address}.name`) };
    default:
      return { type: "other", resourceType: type };
  }
}

export function parseSynthesizedStack(stack: string, json: Json): SynthesizedStack {
  const resources: SynthesizedResource[] = [];
  for (const [type, byName] of Object.entries((json.resource ?? {}) as Record<string, Json>)) {
    for (const [name, body] of Object.entries(byName)) {
      const address = `${type}.${name}`;
      resources.push({ address, identity: identify(type, body as Json, address) });
    }
  }
  const imports = ((json.import ?? []) as Array<{ to: unknown; id: unknown }>).map((i) => ({ to: str(i.to, "import.to"), id: str(i.id, "import.id") }));
  return { stack, resources: resources.sort((a, b) => a.address.localeCompare(b.address)), imports };
}

export function readSynthesizedStack(stack: string, file: string): SynthesizedStack {
  return parseSynthesizedStack(stack, JSON.parse(fs.readFileSync(file, "utf8")) as Json);
}
