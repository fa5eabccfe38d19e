/**
 * A resource as terraform-plugin-framework providers write one: a schema, and create / read /
 * update / delete as separate functions. This module turns it into the protocol's plan + apply
 * (protocol/provider-api.ts), so each resource holds only its Postmark logic.
 *
 * Replacement has ONE source of truth, the schema: a change to an attribute marked `forceNew`
 * (or its value not known yet) is what produces `requires_replace`. A resource's `planValues` only
 * fills in the values it can predict (defaults, computed attributes); it never decides replacement.
 */
import { CtyObject, CtyValue, isUnknown, UNKNOWN } from "../protocol/cty";
import type { Diagnostic } from "../protocol/diagnostics";
import type { PlanResult, ResourceType, StateResult } from "../protocol/provider-api";
import type { BlockSpec } from "../protocol/schema";

export interface PlanValuesArgs {
  /** The current state, or null when the object will be created (new, or a replacement). */
  readonly prior: CtyObject | null;
  readonly proposed: CtyObject;
  readonly config: CtyObject | null;
}

export interface CrudResource {
  readonly schema: BlockSpec;
  validate?(config: CtyObject): readonly Diagnostic[];
  /** The planned new state (default: the proposed values, computed ones unknown on create). */
  planValues?(args: PlanValuesArgs): CtyObject;
  create(args: { planned: CtyObject; config: CtyObject | null }): Promise<StateResult>;
  /** A null state drops the resource from state (deleted out of band). */
  read(state: CtyObject): Promise<StateResult>;
  update(args: { prior: CtyObject; planned: CtyObject; config: CtyObject | null }): Promise<StateResult>;
  delete(args: { prior: CtyObject }): Promise<StateResult>;
  importState?(id: string): Promise<StateResult>;
}

/** The attributes whose change forces a new object: read from the schema, nowhere else. */
export function forceNewAttributes(schema: BlockSpec): string[] {
  return Object.keys(schema.attributes).filter((name) => schema.attributes[name].forceNew);
}

/** Which forceNew attributes differ between prior and proposed (a value not known yet counts as a change). */
export function replacementCause(schema: BlockSpec, prior: CtyObject, proposed: CtyObject): string[] {
  return forceNewAttributes(schema).filter((name) => hasUnknown(proposed[name]) || !sameValue(prior[name], proposed[name]));
}

function hasUnknown(v: CtyValue | undefined): boolean {
  if (isUnknown(v)) return true;
  if (Array.isArray(v)) return v.some(hasUnknown);
  return !!v && typeof v === "object" && Object.values(v).some(hasUnknown);
}

/** Default planned state of a create: what was proposed, with every computed-only attribute unknown. */
export function plannedCreate(schema: BlockSpec, proposed: CtyObject): CtyObject {
  const out: CtyObject = { ...proposed };
  for (const [name, a] of Object.entries(schema.attributes)) if (a.computed && !a.optional && !a.required) out[name] = UNKNOWN;
  return out;
}

export function crudResource(r: CrudResource): ResourceType {
  const planValues = r.planValues ?? (({ prior, proposed }: PlanValuesArgs) => (prior ? proposed : plannedCreate(r.schema, proposed)));
  return {
    schema: r.schema,
    validate: r.validate ? (config) => r.validate!(config) : undefined,
    plan({ prior, proposed, config }): PlanResult {
      if (!proposed) return { planned: null };
      if (!prior) return { planned: planValues({ prior: null, proposed, config }) };
      const replace = replacementCause(r.schema, prior, proposed);
      // Replaced: the new object is planned as a create (Terraform deletes, then creates).
      if (replace.length) return { planned: planValues({ prior: null, proposed, config }), requiresReplace: replace };
      return { planned: planValues({ prior, proposed, config }) };
    },
    apply({ prior, planned, config }): Promise<StateResult> {
      if (!planned) return prior ? r.delete({ prior }) : Promise.resolve({ state: null });
      if (!prior) return r.create({ planned, config });
      return r.update({ prior, planned, config });
    },
    read: (state) => r.read(state),
    importState: r.importState ? (id) => r.importState!(id) : undefined,
  };
}

/** cty equality for the values this provider uses (strings, numbers, bools, string maps); null ≡ absent. */
function sameValue(a: CtyValue | undefined, b: CtyValue | undefined): boolean {
  return stable(a ?? null) === stable(b ?? null);
}

function stable(v: unknown): string {
  if (v && typeof v === "object" && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}
