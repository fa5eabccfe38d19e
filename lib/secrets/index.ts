import * as path from "node:path";
import { FileSecretStore } from "./file-store";
import { OnePasswordStore } from "./onepassword-store";
import type { SecretStore } from "./store";

export { FileSecretStore } from "./file-store";
export { OnePasswordStore } from "./onepassword-store";
export { parseSecretRef, SecretNotFoundError, type SecretStore } from "./store";

/** Test hook: make the file store's next N writes fail (`always` = every write). */
export const FAIL_SECRET_WRITES_ENV = "ARDA_MAIL_TEST_FAIL_SECRET_WRITES";

/**
 * `--secrets` / ARDA_MAIL_SECRETS: `file:<path>` (sandbox, tests) or `op` (1Password, the default).
 */
export function selectSecretStore(spec: string | undefined, env: NodeJS.ProcessEnv = process.env): SecretStore {
  const s = spec ?? env.ARDA_MAIL_SECRETS ?? "op";
  if (s === "op" || s === "1password") return new OnePasswordStore(env);
  if (s.startsWith("file:") && s.length > 5) {
    const fail = env[FAIL_SECRET_WRITES_ENV];
    const failWrites = fail === undefined ? 0 : fail === "always" ? Infinity : Number(fail);
    return new FileSecretStore(path.resolve(s.slice(5)), { failWrites: Number.isFinite(failWrites) || failWrites === Infinity ? failWrites : 0 });
  }
  throw new Error(`--secrets "${s}": expected "op" (1Password) or "file:<path>" (a JSON map of op:// reference → value)`);
}
