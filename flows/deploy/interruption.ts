/**
 * What a deploy does when the operator interrupts it (SIGINT/SIGTERM of the CLI): the step log
 * ends the running step `interrupted`, and a partition's rollout record notes the attempt.
 */
import type { Partition } from "../../platform/model";
import { updateRollout } from "../../lib/rollout/state";
import type { DeployContext } from "./types";
import type { Interruption } from "./steps";

/** The step log's interruption for a stack: a partition notes it in the rollout record; Root and Corporate have none. */
export function interruptionOf(ctx: DeployContext, p?: Partition): Interruption | undefined {
  if (!ctx.signal) return undefined;
  return { signal: ctx.signal, record: async (step, signal) => (p ? recordInterruption(ctx, p, step, signal) : undefined) };
}

/** Steps after which the deployed stack may differ from what was verified: an interrupt there unverifies. */
const CHANGING_STEPS = new Set(["apply", "dns-publish", "verify"]);

/** The rollout record notes an interrupted attempt (the next full deploy replaces the note). */
export async function recordInterruption(ctx: DeployContext, p: Partition, step: string, signal: "SIGINT" | "SIGTERM"): Promise<void> {
  const at = new Date().toISOString();
  const mode = ctx.offline ? "planned-offline" : "applied";
  try {
    await updateRollout(ctx.rolloutFile, ctx.platform, p, (cur) => ({
      ...(cur && !CHANGING_STEPS.has(step) ? cur : { ...cur, verified: false, at, mode }),
      interrupted: { step, signal, at },
    }));
  } catch (e) {
    ctx.progress(`  could not note the interruption in ${ctx.rolloutFile}: ${(e as Error).message}`);
  }
}
