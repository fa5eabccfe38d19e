/**
 * What `deploy --all` deploys and in which order: Root first (every child stack writes its NS
 * delegation into Root's zone through Root's role), then Corporate and the partitions in rollout
 * order (DQ-R1-021: dev → stage ∥ demo → prod). Each stack starts as soon as the stacks it depends
 * on succeeded — Root → {Corporate, dev} → {stage, demo} → prod; a failure skips only its dependents.
 */
import type { Partition, Platform } from "../../platform/model";
import { activePartitions, CORPORATE_STACK, partitionStackName, ROOT_STACK } from "../../platform/names";
import { cascadeWaves, prerequisitesOf } from "../../lib/rollout/state";

export type DeployTarget = { readonly kind: "root" } | { readonly kind: "corporate" } | { readonly kind: "partition"; readonly partition: Partition };

export function stackOf(t: DeployTarget): string {
  return t.kind === "root" ? ROOT_STACK : t.kind === "corporate" ? CORPORATE_STACK : partitionStackName(t.partition);
}

/** How progress lines and results name a target: `Root`, `Corporate`, `Alpha002/dev`. */
export function labelOf(t: DeployTarget): string {
  return t.kind === "partition" ? `${t.partition.infrastructure}/${t.partition.name}` : stackOf(t);
}

export interface GraphNode {
  readonly target: DeployTarget;
  /** Stacks that must have succeeded first. */
  readonly after: readonly string[];
}

export function cascadeGraph(platform: Platform): GraphNode[] {
  const active = activePartitions(platform);
  const stackByName = new Map(active.map((p) => [p.name, partitionStackName(p)]));
  const nodes: GraphNode[] = [
    { target: { kind: "root" }, after: [] },
    { target: { kind: "corporate" }, after: [ROOT_STACK] },
  ];
  // cascadeWaves gives the partitions in an order where prerequisites come first.
  for (const p of cascadeWaves(platform).flat()) {
    nodes.push({
      target: { kind: "partition", partition: p },
      after: [
        ROOT_STACK,
        ...prerequisitesOf(p.name)
          .filter((n) => stackByName.has(n))
          .map((n) => stackByName.get(n)!),
      ],
    });
  }
  return nodes;
}

/**
 * Run every node once its dependencies succeeded (in parallel, or one at a time in graph order).
 * A node whose dependency failed is not run: `skipped` builds its result. Results come back in
 * graph order.
 */
export async function runGraph<R extends { readonly ok: boolean }>(
  nodes: readonly GraphNode[],
  run: (t: DeployTarget) => Promise<R>,
  skipped: (t: DeployTarget, failed: readonly string[]) => R,
  opts: { readonly parallel: boolean },
): Promise<R[]> {
  const results = new Map<string, R>();
  const started = new Map<string, Promise<R>>();
  const exec = async (n: GraphNode): Promise<R> => {
    const deps = await Promise.all(n.after.map((s) => started.get(s) ?? Promise.reject(new Error(`${stackOf(n.target)} depends on ${s}, which is not in the graph`))));
    const failed = n.after.filter((_, i) => !deps[i].ok);
    const r = failed.length ? skipped(n.target, failed) : await run(n.target);
    results.set(stackOf(n.target), r);
    return r;
  };
  if (opts.parallel) {
    for (const n of nodes) started.set(stackOf(n.target), exec(n));
    await Promise.all(started.values());
  } else {
    for (const n of nodes) {
      const p = exec(n);
      started.set(stackOf(n.target), p);
      await p;
    }
  }
  return nodes.map((n) => results.get(stackOf(n.target))!);
}
