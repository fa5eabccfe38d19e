/**
 * What a Terraform plan (`terraform show -json`) will do, counted once for every caller:
 * `plan:offline`, `deploy` and its destructive-change guard.
 */

/** A zone or the key secret is never destroyed or replaced without an explicit flag. */
export const DESTRUCTIVE_TYPES: ReadonlySet<string> = new Set(["aws_route53_zone", "aws_secretsmanager_secret"]);

export interface PlanJson {
  resource_changes?: Array<{ address: string; type: string; mode?: string; change: { actions: string[]; importing?: unknown } }>;
  output_changes?: Record<string, unknown>;
  planned_values?: { outputs?: Record<string, unknown> };
}

export interface PlanCounts {
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
  readonly import: number;
  /** Zones / key secrets the plan would destroy or replace. */
  readonly destructive: string[];
}

export function planCounts(plan: PlanJson): PlanCounts {
  let add = 0;
  let change = 0;
  let destroy = 0;
  let imported = 0;
  const destructive: string[] = [];
  for (const rc of plan.resource_changes ?? []) {
    const a = rc.change.actions;
    if (rc.change.importing) imported++;
    if (a.includes("create")) add++;
    if (a.includes("update")) change++;
    if (a.includes("delete")) {
      destroy++;
      if (DESTRUCTIVE_TYPES.has(rc.type)) destructive.push(`${rc.address} (${a.includes("create") ? "replace" : "destroy"})`);
    }
  }
  return { add, change, destroy, import: imported, destructive };
}

export function formatPlan(p: PlanCounts): string {
  return `${p.add} to add, ${p.change} to change, ${p.destroy} to destroy${p.import ? `, ${p.import} to import` : ""}`;
}

/** The output names a plan will produce (changed or planned) — what verify checks offline. */
export function plannedOutputNames(plan: PlanJson): string[] {
  return [...new Set([...Object.keys(plan.output_changes ?? {}), ...Object.keys(plan.planned_values?.outputs ?? {})])];
}
