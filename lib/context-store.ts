import { readContextDocument } from "../platform/context-file";
import { withFileLock, writeFileAtomic } from "./atomic-file";

/**
 * The register output store (DQ-R1-025): a hand-rolled atomic read-modify-write of a
 * cdktf.json-shaped file. Only the keys a caller touches under `context` change; every other key
 * of the file (app, language, other context entries) is kept in its order, and the file is written
 * with 2-space indentation like cdktf writes it. The whole read-modify-write runs under an
 * exclusive lock so two concurrent `register` runs never lose each other's write.
 */
export interface ContextUpdate {
  /** True when the file changed. */
  readonly changed: boolean;
  /** Keys whose value changed (added or replaced). */
  readonly changedKeys: readonly string[];
}

type Json = Record<string, unknown>;

/** Read the whole `context` object (empty when the file or key is absent); one reader: platform/context-file. */
export function readContextEntries(file: string): Json {
  return readContextDocument(file).context;
}

/** Set `entries` under `context` atomically; unchanged values are not rewritten. */
export async function setContextEntries(file: string, entries: Record<string, unknown>): Promise<ContextUpdate> {
  return withFileLock(file, () => {
    // Re-read under the lock: another process may have written since we looked.
    const { doc, context, trailingNewline } = readContextDocument(file);
    const ctx: Json = { ...context };
    const changedKeys: string[] = [];
    for (const [key, value] of Object.entries(entries)) {
      if (JSON.stringify(ctx[key]) === JSON.stringify(value)) continue;
      ctx[key] = value;
      changedKeys.push(key);
    }
    if (changedKeys.length === 0) return { changed: false, changedKeys };
    const next: Json = { ...doc, context: ctx };
    writeFileAtomic(file, JSON.stringify(next, null, 2) + (trailingNewline ? "\n" : ""));
    return { changed: true, changedKeys };
  });
}
