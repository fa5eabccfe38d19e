/**
 * THE platform selection, made once at an entry point (CLI base command, scripts, the CDKTF app):
 * `--platform`, else ARDA_MAIL_PLATFORM, else the sandbox; the model file is
 * `platform/<name>.platform.json` unless ARDA_MAIL_PLATFORM_FILE names another (rehearsals, tests).
 * Everything below receives the loaded `Platform`; nothing reloads a model by name.
 */
import * as path from "node:path";
import { loadPlatform, platformFile, selectedPlatformName } from "./load";
import type { Platform } from "./model";

/** Alternative model file: overrides platform/<name>.platform.json for every entry point. */
export const PLATFORM_FILE_ENV = "ARDA_MAIL_PLATFORM_FILE";

export interface PlatformSelection {
  readonly name: string;
  /** The model file the selection reads (and `backend set` rewrites). */
  readonly file: string;
}

export function selectPlatform(flag?: string, env: NodeJS.ProcessEnv = process.env): PlatformSelection {
  const name = selectedPlatformName(flag, env);
  const file = env[PLATFORM_FILE_ENV] ? path.resolve(env[PLATFORM_FILE_ENV]!) : platformFile(name);
  return { name, file };
}

export interface SelectedPlatform extends PlatformSelection {
  readonly platform: Platform;
}

/** Select and load (validate) the model; throws PlatformValidationError naming the field. */
export function loadSelectedPlatform(flag?: string, env: NodeJS.ProcessEnv = process.env): SelectedPlatform {
  const selection = selectPlatform(flag, env);
  return { ...selection, platform: loadPlatform(selection.name, { file: selection.file, env }) };
}
