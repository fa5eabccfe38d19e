import type { PlanCounts } from "../../lib/plan-summary";
import type { MailContextEntry } from "../../platform/mail-context";
import type { Infrastructure, Partition, Platform } from "../../platform/model";
import type { SecretValueReader } from "../../lib/aws/secrets";
import type { PostmarkClient } from "../../lib/postmark/client";
import type { SecretStore } from "../../lib/secrets/store";
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

/** Sandbox-only DNS while a stack applies (the local AWS's Route53 served by Knot); none on a real platform. */
export interface DnsFollowHook {
  (s: { stack: string; infrastructure: string; zoneName: string }): { stop(outputs?: Readonly<Record<string, unknown>>): Promise<string> };
}

export interface DeployContext {
  readonly platform: Platform;
  readonly contextFile: string;
  readonly secrets: SecretStore;
  readonly client: (token: string) => PostmarkClient;
  readonly awsConfigFile: string;
  /** Offline: plan with fake credentials and a local override state; apply is skipped. */
  readonly offline: boolean;
  /** `ip:port` for verify's DNS reads (default: the system resolver). */
  readonly resolver?: string;
  /** `ip:port` of the parent zone's server for the NS delegation check (default: the parent's NS, port 53). */
  readonly parentServer?: string;
  /** Rehearsal hook (sandbox): publish the stack's records to a local DNS server before verify. */
  readonly publishDns?: PublishDns;
  readonly planOnly: boolean;
  readonly allowDestructive: boolean;
  readonly verbose: boolean;
  /** Asked before prod changes; resolves true to go ahead (flag or interactive prompt). */
  readonly confirmProduction: (p: Partition, plan: PlanCounts) => Promise<boolean>;
  readonly rolloutFile: string;
  /** Scratch directory for synthesized stacks and plans. */
  readonly workDir: string;
  readonly progress: (line: string) => void;
  /** Register a secret value for scrubbing. */
  readonly remember: (secret: string) => void;
  readonly verifyAttempts?: number;
  readonly verifyDelayMs?: number;
  readonly env: NodeJS.ProcessEnv;
  /**
   * Aborted (reason: the signal name) when the operator interrupts: every running terraform gets
   * one SIGINT, the running step ends as `interrupted`, no further step starts.
   */
  readonly signal?: AbortSignal;
  /** Where local-backend state lives (default: the repository); a rehearsal keeps it in its scratch directory. */
  readonly stateRoot?: string;
  /** The Postmark API the Terraform provider talks to (its POSTMARK_API_URL); default Postmark's own. */
  readonly postmarkUrl?: string;
  /** Rehearsal hook (sandbox, real apply): serve the local AWS's Route53 from the local DNS while a stack applies. */
  readonly followDns?: DnsFollowHook;
  /** Secrets Manager's current values (default: the AWS SDK with the model's profile; endpoint from the env). */
  readonly secretsReader?: (infra: Infrastructure) => SecretValueReader;
}
