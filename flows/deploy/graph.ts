/**
 * What `deploy --all` deploys and in which order: Root first (every child stack writes its NS
 * delegation into Root's zone through Root's role), then Corporate and the partitions in rollout
 * order (DQ-R1-021: dev → stage ∥ demo → prod). Each stack applies as soon as the stacks it depends
 * on are applied and verified — Root → {Corporate, dev} → {stage, demo} → prod; a failure skips only
 * its dependents. Once Root is ready every stack prepares (its plan made) while its predecessors
 * apply, and a stack's dependents go on while it runs its second plan: measured on the local AWS,
 * this takes the prepare and second-plan time (6–9 s and 3–7 s a stack) off the critical path.
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
  /** Stacks that must be applied and verified before this one applies (DQ-R1-021 for the partitions). */
  readonly after: readonly string[];
  /**
   * Stacks that must be applied and verified before this one starts at all — Root: nothing of a
   * child stack changes before Root's zone and role exist. The stack also starts only once every
   * stack of `after` is applying: it then prepares (pre-flight, register, synth, init, plan) while
   * they apply — an apply is mostly Route53's waits, a plan is CPU, so plans do not crowd the
   * critical path (five plans at once on 2 cores took 24 s each instead of 6–9 s).
   */
  readonly startAfter: readonly string[];
}

export function cascadeGraph(platform: Platform): GraphNode[] {
  const active = activePartitions(platform);
  const stackByName = new Map(active.map((p) => [p.name, partitionStackName(p)]));
  const nodes: GraphNode[] = [
    { target: { kind: "root" }, after: [], startAfter: [] },
    { target: { kind: "corporate" }, after: [ROOT_STACK], startAfter: [ROOT_STACK] },
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
      startAfter: [ROOT_STACK],
    });
  }
  return nodes;
}

/** What a running node is told about its place in the graph. */
export interface NodeTurn {
  /** The stacks this one applies after. */
  readonly after: readonly string[];
  /** Resolves once every stack of the node's `after` is ready or has failed: the failed ones (empty: go on). */
  wait(): Promise<readonly string[]>;
  /** This stack starts its apply: its dependents may prepare. */
  applying(): void;
  /** This stack is applied and verified: its dependents may go on while it finishes (its second plan). */
  ready(): void;
  /**
   * Resolves once every stack that applies after this one is applying or has ended: the second plan
   * waits for it, so it does not take CPU from their plans (Root's second plan beside Corporate's
   * and dev's). At once when run one at a time.
   */
  dependentsApplying(): Promise<void>;
}

interface Deferred {
  readonly promise: Promise<boolean>;
  settle(ok: boolean): void;
}

function deferred(): Deferred {
  let settle!: (ok: boolean) => void;
  let settled = false;
  const promise = new Promise<boolean>((resolve) => (settle = resolve));
  return {
    promise,
    settle: (ok) => {
      if (!settled) settle(ok);
      settled = true;
    },
  };
}

/**
 * Run every node once the stacks of its `startAfter` are ready and those of its `after` applying,
 * telling it (NodeTurn) when those of its `after` are ready — in parallel, or one at a time in graph
 * order. A node is applying / ready when it says so or when it ends (then: ok). A node whose
 * dependency failed before it could start is not run: `skipped` builds its result. Results come
 * back in graph order.
 */
export async function runGraph<R extends { readonly ok: boolean }>(
  nodes: readonly GraphNode[],
  run: (t: DeployTarget, turn: NodeTurn) => Promise<R>,
  skipped: (t: DeployTarget, failed: readonly string[]) => R,
  opts: { readonly parallel: boolean },
): Promise<R[]> {
  const results = new Map<string, R>();
  const ready = new Map(nodes.map((n) => [stackOf(n.target), deferred()]));
  const applying = new Map(nodes.map((n) => [stackOf(n.target), deferred()]));
  const failedOf = async (of: Map<string, Deferred>, stacks: readonly string[], n: GraphNode): Promise<string[]> => {
    const oks = await Promise.all(
      stacks.map((s) => {
        const d = of.get(s);
        if (!d) throw new Error(`${stackOf(n.target)} depends on ${s}, which is not in the graph`);
        return d.promise;
      }),
    );
    return stacks.filter((_, i) => !oks[i]);
  };
  const exec = async (n: GraphNode): Promise<void> => {
    const me = stackOf(n.target);
    const [notReady, notApplying] = await Promise.all([failedOf(ready, n.startAfter, n), failedOf(applying, n.after, n)]);
    const failed = [...new Set([...notReady, ...notApplying])];
    const r = failed.length
      ? skipped(n.target, failed)
      : await run(n.target, {
          after: n.after,
          wait: () => failedOf(ready, n.after, n),
          applying: () => applying.get(me)!.settle(true),
          ready: () => {
            applying.get(me)!.settle(true);
            ready.get(me)!.settle(true);
          },
          dependentsApplying: async () => {
            if (!opts.parallel) return;
            await Promise.all(nodes.filter((d) => d.after.includes(me)).map((d) => applying.get(stackOf(d.target))!.promise));
          },
        });
    applying.get(me)!.settle(r.ok);
    ready.get(me)!.settle(r.ok);
    results.set(me, r);
  };
  if (opts.parallel) await Promise.all(nodes.map(exec));
  else for (const n of nodes) await exec(n);
  return nodes.map((n) => results.get(stackOf(n.target))!);
}
