import * as path from "node:path";
import { Testing } from "cdktf";
import { loadPlatform, validatePlatform } from "../platform/load";
import { readContext } from "../platform/mail-context";
import type { Platform } from "../platform/model";

/** The sandbox platform and its committed register context (fixtures). */
export function sandboxPlatform(edit?: (raw: Record<string, any>) => void): Platform {
  const base = loadPlatform("sandbox", { env: {} });
  if (!edit) return base;
  const raw = JSON.parse(JSON.stringify(base)) as Record<string, any>;
  edit(raw);
  return validatePlatform(raw, { source: "test", env: {} });
}

export const SANDBOX_CONTEXT_FILE = path.join(__dirname, "..", "platform", "sandbox.cdktf.json");

export function sandboxContext(): Record<string, unknown> {
  return readContext(SANDBOX_CONTEXT_FILE);
}

/** Synthesized Terraform JSON of one stack, parsed. */
export function synthJson(stack: Parameters<typeof Testing.synth>[0]): Record<string, any> {
  return JSON.parse(Testing.synth(stack)) as Record<string, any>;
}
