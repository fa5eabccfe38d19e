import * as fs from "node:fs";
import { withFileLock, writeFileAtomic } from "../atomic-file";
import { parseSecretRef, SecretNotFoundError, type SecretStore } from "./store";

/**
 * A JSON map `{ "op://vault/item/field": "value" }` on disk — the sandbox's stand-in for 1Password.
 * Writes are atomic and locked (same guarantees as the context store); the file is created 0600.
 */
export class FileSecretStore implements SecretStore {
  readonly description: string;

  constructor(readonly file: string) {
    this.description = `secrets file ${file}`;
  }

  private load(): Record<string, string> {
    if (!fs.existsSync(this.file)) return {};
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(this.file, "utf8"));
    } catch {
      // The parse error text may quote file content (a secret): report position only.
      throw new Error(`${this.description} is not valid JSON`);
    }
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new Error(`${this.description} must be a JSON object of op:// reference → value`);
    return raw as Record<string, string>;
  }

  async read(ref: string): Promise<string> {
    parseSecretRef(ref);
    const v = this.load()[ref];
    if (typeof v !== "string" || v.length === 0) throw new SecretNotFoundError(ref, this.description);
    return v;
  }

  async exists(ref: string): Promise<boolean> {
    parseSecretRef(ref);
    const { vault, item } = parseSecretRef(ref);
    // 1Password semantics: an item exists if any of its fields does.
    return Object.keys(this.load()).some((k) => k === ref || k.startsWith(`op://${vault}/${item}/`));
  }

  async write(ref: string, value: string): Promise<void> {
    parseSecretRef(ref);
    await withFileLock(this.file, () => {
      const map = this.load();
      map[ref] = value;
      writeFileAtomic(this.file, JSON.stringify(map, null, 2) + "\n", 0o600);
    });
  }
}
