import * as fs from "node:fs";
import { repoRelative } from "./load";

/**
 * The one reader of the context file (a cdktf.json-shaped file whose `context` object holds the
 * register output). Synth, verify, drift and the context store's read-modify-write all read through
 * here, so a broken file is reported the same way everywhere: naming the file and what is wrong,
 * never as a bare JSON.parse error, and never silently treated as empty (that is how a
 * hand-written `"context": "…"` would be overwritten).
 */
export class ContextFileError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${repoRelative(file)}: ${problem}`);
    this.name = "ContextFileError";
  }
}

export interface ContextDocument {
  /** The whole file (app, language, other keys are kept by writers). */
  readonly doc: Record<string, unknown>;
  /** Its `context` object (`{}` when the file or the key is absent). */
  readonly context: Record<string, unknown>;
  /** Writers keep the file's final newline (or its absence). */
  readonly trailingNewline: boolean;
}

const FIX = "fix or restore it (git checkout) before running arda-mail again";

/** Read and shape-check a context file; an absent file is an empty document. */
export function readContextDocument(file: string): ContextDocument {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { doc: {}, context: {}, trailingNewline: true };
    // A parent is a file: the context can neither be read nor ever be written — say so before anything
    // (register creates nothing in Postmark it could not record).
    if (code === "ENOTDIR") throw new ContextFileError(file, "cannot be read or created (ENOTDIR: a parent path is a file, not a directory)");
    if (code === "EISDIR") throw new ContextFileError(file, "is a directory, not a context file; point ARDA_MAIL_CONTEXT_FILE (or the model's contextFile) at a JSON file");
    if (code === "EACCES" || code === "EPERM") throw new ContextFileError(file, "cannot be read (permission denied); check the file's owner and mode");
    throw new ContextFileError(file, `cannot be read (${code ?? (e as Error).message})`);
  }
  if (text.charCodeAt(0) === 0xfeff) throw new ContextFileError(file, `starts with a byte-order mark (U+FEFF); save it as UTF-8 without BOM — ${FIX}`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ContextFileError(file, `is not valid JSON (${(e as Error).message}); ${FIX}`);
  }
  if (!isObject(doc)) throw new ContextFileError(file, `is not a JSON object (found ${kindOf(doc)}); ${FIX}`);
  const context = doc.context;
  if (context !== undefined && !isObject(context)) {
    throw new ContextFileError(file, `"context" must be an object of register entries (found ${kindOf(context)}); arda-mail will not overwrite it — ${FIX}`);
  }
  return { doc, context: context ?? {}, trailingNewline: text.endsWith("\n") };
}

/** The `context` object of a context file (`{}` when the file or the key is absent). */
export function readContext(file: string): Record<string, unknown> {
  return readContextDocument(file).context;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  return `a ${typeof v}`;
}
