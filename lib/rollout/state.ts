/**
 * The rollout cascade (DQ-R1-021): dev first; stage and demo once dev is verified (either order,
 * or together); prod last, once stage AND demo are verified, and only with an explicit
 * confirmation. The verified state of each partition lives in a committable JSON file
 * (`rollout/<platform>.json`) so the next run — and a teammate — can read it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../../platform/load";
import type { Partition, Platform } from "../../platform/model";
import { activePartitions, partitionStackName } from "../../platform/names";
import { z } from "zod";
import { describeFsError, withFileLock, writeFileAtomic } from "../atomic-file";

/**
 * The record's schema: it opens the prod gate, so nothing but a real boolean `verified` counts
 * (`"yes"` or `1` is refused, not taken as true), and every field has its exact type.
 */
const Counts = z.strictObject({ add: z.int().nonnegative(), change: z.int().nonnegative(), destroy: z.int().nonnegative() });
const PartitionRolloutSchema = z.strictObject({
  stack: z.string().min(1),
  verified: z.boolean(),
  /** ISO time of the last deploy attempt that reached verify (or was interrupted). */
  at: z.iso.datetime(),
  /** `applied` (real AWS) or `planned-offline` (sandbox: nothing applied). */
  mode: z.enum(["applied", "planned-offline"]),
  plan: Counts.optional(),
  failedChecks: z.array(z.string()).optional(),
  /** Set when the operator stopped the deploy (SIGINT/SIGTERM) during `step`. */
  interrupted: z.strictObject({ step: z.string().min(1), signal: z.enum(["SIGINT", "SIGTERM"]), at: z.iso.datetime() }).optional(),
});
const RolloutStateSchema = z.strictObject({ platform: z.string().min(1), partitions: z.record(z.string(), PartitionRolloutSchema) });

export type PartitionRollout = Readonly<z.infer<typeof PartitionRolloutSchema>>;
export interface RolloutState {
  readonly platform: string;
  readonly partitions: Record<string, PartitionRollout>;
}

export class RolloutFileError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`rollout record ${file} ${problem}`);
    this.name = "RolloutFileError";
  }
}

/** Env override of the rollout file (the demo and tests use a scratch copy). */
export const ROLLOUT_FILE_ENV = "ARDA_MAIL_ROLLOUT_FILE";

export function rolloutFile(platform: Platform, explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const f = explicit ?? env[ROLLOUT_FILE_ENV];
  return f ? path.resolve(f) : path.join(REPO_ROOT, "rollout", `${platform.name}.json`);
}

export function readRollout(file: string, platform: Platform): RolloutState {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { platform: platform.name, partitions: {} };
    throw new RolloutFileError(file, describeFsError(e as NodeJS.ErrnoException));
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new RolloutFileError(file, `is not valid JSON (${(e as Error).message}); fix it or restore it from git`);
  }
  const parsed = RolloutStateSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new RolloutFileError(file, `is not a valid rollout record: ${first.path.join(".") || "(top level)"}: ${first.message}; fix it or restore it from git`);
  }
  if (parsed.data.platform !== platform.name) throw new RolloutFileError(file, `records the rollout of platform "${parsed.data.platform}", not "${platform.name}"`);
  for (const [name, r] of Object.entries(parsed.data.partitions)) {
    const p = platform.partitions.find((x) => x.name === name);
    if (p && r.stack !== partitionStackName(p))
      throw new RolloutFileError(file, `is not a valid rollout record: partitions.${name}.stack is "${r.stack}", but ${name} deploys ${partitionStackName(p)}`);
  }
  return parsed.data;
}

/** Record one partition's outcome (read-modify-write under a lock: stage ∥ demo write together). */
export async function recordRollout(file: string, platform: Platform, p: Partition, entry: Omit<PartitionRollout, "stack">): Promise<void> {
  await updateRollout(file, platform, p, () => entry);
}

/**
 * Replace one partition's record by `change(current)`, reading and writing under the file's lock
 * so two deploys finishing together never lose each other's record.
 */
export async function updateRollout(file: string, platform: Platform, p: Partition, change: (current: PartitionRollout | undefined) => Omit<PartitionRollout, "stack">): Promise<void> {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    // mkdir -p reports a file in the way as EEXIST/ENOTDIR: say that.
    const why = err.code === "EEXIST" || err.code === "ENOTDIR" ? "has a file where a directory is needed" : describeFsError(err);
    throw new RolloutFileError(file, `cannot be created: its directory ${path.dirname(file)} ${why}`);
  }
  await withFileLock(file, () => {
    const cur = readRollout(file, platform);
    const entry = PartitionRolloutSchema.parse({ stack: partitionStackName(p), ...change(cur.partitions[p.name]) });
    const next: RolloutState = { platform: platform.name, partitions: { ...cur.partitions, [p.name]: entry } };
    writeFileAtomic(file, `${JSON.stringify(next, null, 2)}\n`);
  });
}

/** Prerequisites per partition; any other partition (e.g. kyle if resumed) follows dev like stage. */
const PREREQUISITES: Record<string, readonly string[]> = { dev: [], stage: ["dev"], demo: ["dev"], prod: ["stage", "demo"] };

export function prerequisitesOf(name: string): readonly string[] {
  return PREREQUISITES[name] ?? ["dev"];
}

export function isProduction(p: Pick<Partition, "name">): boolean {
  return p.name === "prod";
}

/** Why `p` may not be deployed yet, or undefined when the cascade allows it. */
export function orderViolation(platform: Platform, p: Partition, state: RolloutState): string | undefined {
  const active = new Set(activePartitions(platform).map((x) => x.name));
  const missing = prerequisitesOf(p.name).filter((n) => active.has(n) && !state.partitions[n]?.verified);
  if (missing.length === 0) return undefined;
  const seen = missing.map((n) => `${n}: ${state.partitions[n] ? "deployed but not verified" : "not deployed yet"}`).join("; ");
  return `${p.name} deploys only after ${prerequisitesOf(p.name).join(" and ")} ${prerequisitesOf(p.name).length > 1 ? "are" : "is"} verified (DQ-R1-021: dev → stage ∥ demo → prod) — ${seen}`;
}

/** The cascade as waves: [[dev], [stage, demo], [prod]] (active partitions only; each wave may run in parallel). */
export function cascadeWaves(platform: Platform): Partition[][] {
  const active = activePartitions(platform);
  const remaining = new Map(active.map((p) => [p.name, p]));
  const done = new Set<string>();
  const waves: Partition[][] = [];
  while (remaining.size) {
    const wave = [...remaining.values()].filter((p) => prerequisitesOf(p.name).every((n) => done.has(n) || !active.some((a) => a.name === n)));
    if (wave.length === 0) throw new Error(`rollout order has a cycle among ${[...remaining.keys()].join(", ")}`);
    wave.forEach((p) => remaining.delete(p.name));
    wave.forEach((p) => done.add(p.name));
    waves.push(wave);
  }
  return waves;
}
