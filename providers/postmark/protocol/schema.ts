/** Schema helpers: describe attributes once, derive the protocol schema and the value shape from it. */
import type { CtyObject, CtyValue } from "./cty";

export type CtyType = "string" | "number" | "bool" | readonly ["map", "string"];

export interface AttributeSpec {
  readonly type: CtyType;
  readonly description: string;
  readonly required?: boolean;
  readonly optional?: boolean;
  readonly computed?: boolean;
  readonly sensitive?: boolean;
  /** A change to this attribute replaces the object (reported as requires_replace). */
  readonly forceNew?: boolean;
}

export interface BlockSpec {
  readonly version: number;
  readonly description: string;
  readonly attributes: Readonly<Record<string, AttributeSpec>>;
}

/** tfplugin6.Schema as a plain object for protobufjs. */
export function toWireSchema(spec: BlockSpec): Record<string, unknown> {
  return {
    version: spec.version,
    block: {
      version: spec.version,
      description: spec.description,
      description_kind: 0,
      attributes: Object.keys(spec.attributes)
        .sort()
        .map((name) => {
          const a = spec.attributes[name];
          return {
            name,
            type: Buffer.from(JSON.stringify(a.type)),
            description: a.description,
            description_kind: 0,
            required: !!a.required,
            optional: !!a.optional,
            computed: !!a.computed,
            sensitive: !!a.sensitive,
          };
        }),
      block_types: [],
    },
  };
}

/** An object with every schema attribute present (missing ones null), as Terraform expects. */
export function conform(spec: BlockSpec, value: Record<string, CtyValue | undefined>): CtyObject {
  const out: CtyObject = {};
  for (const name of Object.keys(spec.attributes)) out[name] = value[name] ?? null;
  return out;
}

/** A stable hash input: the schema as JSON with sorted keys. */
export function schemaFingerprint(specs: Record<string, BlockSpec>): string {
  return JSON.stringify(specs, (_k, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}
