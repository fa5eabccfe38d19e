/**
 * The step runner of a deploy: each step is timed, reported as progress and recorded in the
 * result; a failing step records its outcome with the `next` advice of whatever flow error it
 * caught, and stops the partition (StepStop).
 */
import { FlowError } from "../errors";
import { StepError, type StepOutcome, type StepResult } from "./types";

export interface StepValue<T> {
  readonly value: T;
  readonly detail: string;
  readonly outcome?: "ok" | "skipped";
}

/** Thrown after a failed step was recorded: the partition stops, the cascade reads the result. */
export class StepStop extends Error {}

export class StepLog {
  readonly steps: StepResult[] = [];

  constructor(
    private readonly label: string,
    private readonly progress: (line: string) => void,
  ) {}

  async run<T>(name: string, fn: () => Promise<StepValue<T>>): Promise<T> {
    const t = Date.now();
    this.progress(`${this.label}: ${name}…`);
    try {
      const r = await fn();
      const outcome = r.outcome ?? "ok";
      this.steps.push({ step: name, outcome, startedAt: t, durationMs: Date.now() - t, detail: r.detail });
      this.progress(`${this.label}: ${name} ${outcome} (${((Date.now() - t) / 1000).toFixed(1)} s) — ${r.detail}`);
      return r.value;
    } catch (e) {
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
}
