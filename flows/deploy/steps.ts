/**
 * The step runner of a deploy: each step is timed, reported as progress and recorded in the
 * result; a failing step records its outcome with the `next` advice of whatever flow error it
 * caught, and stops the partition (StepStop). After an operator interrupt the running step ends
 * `interrupted` and no further step starts.
 */
import { TerraformInterrupted } from "../../lib/terraform";
import { FlowError } from "../errors";
import { StepError, type StepOutcome, type StepResult } from "./types";

/** A stack's own time: its steps' durations, without its `wait` for the stacks before it (deploy --all). */
export function ownTimeMs(steps: readonly StepResult[]): number {
  return steps.filter((s) => s.step !== "wait").reduce((n, s) => n + s.durationMs, 0);
}

/** How long a stack waited for the stacks before it (0 outside deploy --all). */
export function waitedMs(steps: readonly StepResult[]): number {
  return steps.find((s) => s.step === "wait")?.durationMs ?? 0;
}

export interface StepValue<T> {
  readonly value: T;
  readonly detail: string;
  readonly outcome?: "ok" | "skipped";
}

/** Thrown after a failed step was recorded: the partition stops, the cascade reads the result. */
export class StepStop extends Error {}

/** What a step log does when the operator interrupts: the abort signal and how the interruption is recorded. */
export interface Interruption {
  readonly signal: AbortSignal;
  /** Note the interrupted step (the rollout record); must not throw. */
  record(step: string, signal: "SIGINT" | "SIGTERM"): Promise<void>;
}

export class StepLog {
  readonly steps: StepResult[] = [];

  constructor(
    private readonly label: string,
    private readonly progress: (line: string) => void,
    private readonly interruption?: Interruption,
  ) {}

  async run<T>(name: string, fn: () => Promise<StepValue<T>>): Promise<T> {
    const t = Date.now();
    if (this.interruption?.signal.aborted) {
      // Stopped between steps: this one never starts.
      await this.interrupted(name, t);
    }
    this.progress(`${this.label}: ${name}…`);
    try {
      const r = await fn();
      const outcome = r.outcome ?? "ok";
      this.steps.push({ step: name, outcome, startedAt: t, durationMs: Date.now() - t, detail: r.detail });
      this.progress(`${this.label}: ${name} ${outcome} (${((Date.now() - t) / 1000).toFixed(1)} s) — ${r.detail}`);
      return r.value;
    } catch (e) {
      if (e instanceof StepStop) throw e;
      if (this.interruption?.signal.aborted) {
        await this.interrupted(name, t, e instanceof TerraformInterrupted ? "terraform stopped and released its lock" : (e as Error).message);
      }
      const outcome: StepOutcome = e instanceof StepError ? e.outcome : "failed";
      const next = e instanceof FlowError ? e.next : "";
      const detail = `${(e as Error).message}${next ? `\nNext: ${next}` : ""}`;
      this.steps.push({ step: name, outcome, startedAt: t, durationMs: Date.now() - t, detail });
      this.progress(`${this.label}: ${name} ${outcome.toUpperCase()} — ${detail}`);
      throw new StepStop();
    }
  }

  skipped(name: string, detail: string): void {
    this.steps.push({ step: name, outcome: "skipped", startedAt: Date.now(), durationMs: 0, detail });
  }

  private async interrupted(name: string, startedAt: number, what?: string): Promise<never> {
    const signal = String(this.interruption!.signal.reason) as "SIGINT" | "SIGTERM";
    const detail = what === undefined ? `interrupted by ${signal} before ${name} started` : `interrupted by ${signal} during ${name}: ${what}`;
    this.steps.push({ step: name, outcome: "interrupted", startedAt, durationMs: Date.now() - startedAt, detail });
    this.progress(`${this.label}: ${name} INTERRUPTED — ${detail}`);
    await this.interruption!.record(name, signal);
    throw new StepStop();
  }
}
