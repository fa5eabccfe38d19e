/**
 * Where secrets live. Production: 1Password through `@1password/sdk`. Sandbox and tests: a JSON file.
 * References are 1Password secret references, `op://<vault>/<item>/<field>`, in both.
 */
export interface SecretStore {
  /** The value; throws SecretNotFoundError when the reference does not resolve. */
  read(ref: string): Promise<string>;
  write(ref: string, value: string): Promise<void>;
  /**
   * Read-modify-write of one secret as a unit: `change` gets the current value (undefined when
   * absent) and returns the new one; no concurrent update is lost (the file store holds its lock
   * across read and write; 1Password rejects a write against a stale item version and the store
   * re-reads). `change` may run more than once; returning the current value writes nothing.
   * Resolves the resulting value.
   */
  update(ref: string, change: (current: string | undefined) => string): Promise<string>;
  exists(ref: string): Promise<boolean>;
  /** Human description for messages (never contains a secret). */
  readonly description: string;
}

export class SecretNotFoundError extends Error {
  constructor(
    readonly ref: string,
    where: string,
  ) {
    super(`secret ${ref} does not resolve in ${where}`);
    this.name = "SecretNotFoundError";
  }
}

const REF = /^op:\/\/([^/\s]+)\/([^/\s]+)\/([^/\s]+)$/;

export interface ParsedRef {
  readonly vault: string;
  readonly item: string;
  readonly field: string;
}

export function parseSecretRef(ref: string): ParsedRef {
  const m = REF.exec(ref);
  if (!m) throw new Error(`"${ref}" is not a 1Password reference (op://<vault>/<item>/<field>)`);
  return { vault: m[1], item: m[2], field: m[3] };
}
