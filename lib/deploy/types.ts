import type { PlanCounts } from "../plan-summary";
/** The `--json` result of `arda-mail deploy`: every step with its outcome and duration. */
import type { VerifyReport } from "../verify/verify";

/** `interrupted`: the operator stopped the deploy (SIGINT/SIGTERM) while the step ran. */
export type StepOutcome = "ok" | "failed" | "skipped" | "refused" | "interrupted";

export interface StepResult {
  readonly step: string;
  readonly outcome: StepOutcome;
  /** Epoch ms when the step started (shows stage ∥ demo overlapping). */
  readonly startedAt: number;
  readonly durationMs: number;
  readonly detail: string;
}

export interface PartitionDeployResult {
  readonly partition: string;
  readonly stack: string;
  readonly ok: boolean;
  readonly steps: StepResult[];
  readonly registered?: { readonly domain: string; readonly postmark: string; readonly context: string; readonly domainId?: number; readonly dkimSelector?: string };
  readonly plan?: PlanCounts;
  readonly verify?: VerifyReport;
}

/** A step failure that stops the deploy; `outcome` tells refusals (order, confirmation, destructive) from failures. */
export class StepError extends Error {
  constructor(message: string, readonly outcome: "failed" | "refused" = "failed", readonly next?: string) {
    super(message);
    this.name = "StepError";
  }
}
