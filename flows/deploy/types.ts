import type { PlanCounts } from "../../lib/plan-summary";
import type { MailContextEntry } from "../../platform/mail-context";
import type { Platform } from "../../platform/model";
import { FlowError } from "../errors";
import type { VerifyReport } from "../verify";

/**
 * Rehearsal hook: publish a stack's records to a local DNS server (the sandbox's stand-in for
 * Route53 answering the internet). Supplied by the sandbox; a real deploy has none. Returns a
 * one-line detail for the step report.
 */
export type PublishDns = (x: { readonly platform: Platform; readonly stack: string; readonly stackDir: string; readonly entries: ReadonlyMap<string, MailContextEntry> }) => Promise<string>;

/** The `--json` result of `arda-mail deploy`: every step with its outcome and duration. */

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
  /** A real apply: how many resources it added, changed or destroyed (0 when the plan was empty). */
  readonly appliedResources?: number;
  /** A real apply: the second plan had nothing to do. */
  readonly secondPlanClean?: boolean;
  readonly verify?: VerifyReport;
}

/** A step failure that stops the deploy; `outcome` tells refusals (order, confirmation, destructive) from failures. */
export class StepError extends FlowError {
  constructor(
    message: string,
    readonly outcome: "failed" | "refused" = "failed",
    next = "",
  ) {
    super(message, next);
    this.name = "StepError";
  }
}
