/**
 * The takeover record: which step each stack has completed, in a committable JSON file
 * (`takeover/<platform>.json`) the next run — and a teammate — reads, written atomically under a
 * lock like the rollout record. Steps in order: planned → adopted → retained → detached.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../../platform/load";
import type { Platform } from "../../platform/model";
import { withFileLock, writeFileAtomic } from "../atomic-file";

export const TAKEOVER_STEPS = ["planned", "adopted", "retained", "detached"] as const;
export type TakeoverStep = (typeof TAKEOVER_STEPS)[number];

export interface StackTakeover {
  /** Step → ISO time it completed. */
  readonly steps: Partial<Record<TakeoverStep, string>>;
  readonly imports?: number;
  /** CloudFormation's part, fixed at planning time (no secret: logical ids, export names and values — ids, names, ARNs). */
  readonly cloudFormation?: {
    readonly stackName: string;
    readonly mode: "bridge" | "retain-only";
    readonly retain: string[];
    readonly delete: string[];
    readonly exports: ReadonlyArray<{ name: string; value: string }>;
  };
}

export interface TakeoverRecord {
  readonly platform: string;
  readonly stacks: Record<string, StackTakeover>;
}

export const TAKEOVER_FILE_ENV = "ARDA_MAIL_TAKEOVER_FILE";

export function takeoverFile(platform: Platform, explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const f = explicit ?? env[TAKEOVER_FILE_ENV];
  return f ? path.resolve(f) : path.join(REPO_ROOT, "takeover", `${platform.name}.json`);
}

export function readTakeover(file: string, platform: Platform): TakeoverRecord {
  if (!fs.existsSync(file)) return { platform: platform.name, stacks: {} };
  const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<TakeoverRecord>;
  if (parsed.platform !== platform.name) throw new Error(`${file} records the takeover of platform "${String(parsed.platform)}", not "${platform.name}"`);
  if (!parsed.stacks || typeof parsed.stacks !== "object") throw new Error(`${file}: "stacks" must be an object`);
  return { platform: parsed.platform, stacks: parsed.stacks };
}

export function stepDone(rec: TakeoverRecord, stack: string, step: TakeoverStep): boolean {
  return !!rec.stacks[stack]?.steps[step];
}

/** Mark `step` done for `stack` (read-modify-write under the file's lock). */
export async function recordStep(file: string, platform: Platform, stack: string, step: TakeoverStep, extra: Omit<StackTakeover, "steps"> = {}, now = new Date()): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await withFileLock(file, () => {
    const cur = readTakeover(file, platform);
    const prev = cur.stacks[stack] ?? { steps: {} };
    const next: TakeoverRecord = { platform: platform.name, stacks: { ...cur.stacks, [stack]: { ...prev, ...extra, steps: { ...prev.steps, [step]: now.toISOString() } } } };
    writeFileAtomic(file, `${JSON.stringify(next, null, 2)}\n`);
  });
}
