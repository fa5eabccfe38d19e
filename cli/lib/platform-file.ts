import * as path from "node:path";
import { platformFile } from "../../platform/load";

/** Alternative model file (tests, rehearsals): overrides platform/<name>.platform.json for every command. */
export const PLATFORM_FILE_ENV = "ARDA_MAIL_PLATFORM_FILE";

export function platformFileFor(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return env[PLATFORM_FILE_ENV] ? path.resolve(env[PLATFORM_FILE_ENV]!) : platformFile(name);
}
