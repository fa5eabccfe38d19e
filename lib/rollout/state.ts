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
import { withFileLock, writeFileAtomic } from "../atomic-file";

export interface PartitionRollout {
  readonly stack: string;
  readonly verified: boolean;
  /** ISO time of the last deploy attempt that reached verify. */
  readonly at: string;
  /** `applied` (real AWS) or `planned-offline` (sandbox: nothing applied). */
  readonly mode: "applied" | "planned-offline";
  readonly plan?: { add: number; change: number; destroy: number };
  readonly failedChecks?: string[];
}

export interface RolloutState {
  readonly platform: string;
  readonly partitions: Record<string, PartitionRollout>;
}

/** Env override of the rollout file (the demo and tests use a scratch copy). */
export const ROLLOUT_FILE_ENV = "ARDA_MAIL_ROLLOUT_FILE";

export function rolloutFile(platform: Platform, explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const f = explicit ?? env[ROLLOUT_FILE_ENV];
  return f ? path.resolve(f) : path.join(REPO_ROOT, "rollout", `${platform.name}.json`);
}

export function readRollout(file: string, platform: Platform): RolloutState {
  if (!fs.existsSync(file)) return { platform: platform.name, partitions: {} };
  const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as RolloutState;
  if (parsed.platform !== platform.name) throw new Error(`${file} records the rollout of platform "${parsed.platform}", not "${platform.name}"`);
  return { platform: parsed.platform, partitions: parsed.partitions ?? {} };
}

/** Record one partition's outcome (read-modify-write under a lock: stage ∥ demo write together). */
export async function recordRollout(file: string, platform: Platform, p: Partition, entry: Omit<PartitionRollout, "stack">): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await withFileLock(file, () => {
    const cur = readRollout(file, platform);
    const next: RolloutState = { platform: platform.name, partitions: { ...cur.partitions, [p.name]: { stack: partitionStackName(p), ...entry } } };
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
