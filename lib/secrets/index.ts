import * as path from "node:path";
import { FileSecretStore } from "./file-store";
import { OnePasswordStore } from "./onepassword-store";
import type { SecretStore } from "./store";

export { FileSecretStore } from "./file-store";
export { OnePasswordStore } from "./onepassword-store";
export { parseSecretRef, SecretNotFoundError, type SecretStore } from "./store";

/**
 * `--secrets` / ARDA_MAIL_SECRETS: `file:<path>` (sandbox, tests) or `op` (1Password, the default).
 */
export function selectSecretStore(spec: string | undefined, env: NodeJS.ProcessEnv = process.env): SecretStore {
  const s = spec ?? env.ARDA_MAIL_SECRETS ?? "op";
  if (s === "op" || s === "1password") return new OnePasswordStore(env);
  if (s.startsWith("file:") && s.length > 5) {
    return new FileSecretStore(path.resolve(s.slice(5)));
  }
  throw new Error(`--secrets "${s}": expected "op" (1Password) or "file:<path>" (a JSON map of op:// reference → value)`);
}
