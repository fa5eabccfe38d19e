import { randomBytes, randomUUID } from "node:crypto";

import { REGISTRY_ENTRY_BYTES, REGISTRY_ID_PATTERN, REGISTRY_KEY_BYTES, REGISTRY_MAX_BYTES, REGISTRY_VALUE_PATTERN } from "../platform/key-registry";

/**
 * The encryption-key registry (DQ-R1-032): a non-empty JSON map `{ "<uuid>": "<base64 of exactly
 * 64 random bytes>" }`, ordered newest last (the last key is the current version), append-only.
 * The rule itself (id and value patterns, size bound) lives in platform/key-registry.ts, shared with
 * the stack's Terraform validation; this module names the first bad entry. Messages name entries by
 * their key and position — never by value.
 */
export type KeyRegistry = Record<string, string>;

export const KEY_BYTES = REGISTRY_KEY_BYTES;
const ID = new RegExp(REGISTRY_ID_PATTERN);
const ID_ANY_CASE = new RegExp(REGISTRY_ID_PATTERN, "i");
const VALUE = new RegExp(REGISTRY_VALUE_PATTERN);
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export class RegistryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RegistryError";
  }
}

/** Parse and validate registry JSON text; throws RegistryError naming the first problem. */
export function parseRegistry(text: string): KeyRegistry {
  // The text is what deploy hands Terraform (TF_VAR_…) and Secrets Manager stores: bound it as such.
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > REGISTRY_MAX_BYTES) {
    throw new RegistryError(
      `registry is ${bytes.toLocaleString("en-US")} bytes; at most ${REGISTRY_MAX_BYTES.toLocaleString("en-US")} deploy (the Secrets Manager limit, about ${Math.floor(REGISTRY_MAX_BYTES / REGISTRY_ENTRY_BYTES)} entries)`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    // JSON.parse messages quote the input (key material): say only that it is not JSON.
    throw new RegistryError("registry is not valid JSON");
  }
  // Duplicate keys vanish in JSON.parse (the last wins): find them in the text itself.
  const dup = firstDuplicateKey(text);
  if (dup !== undefined) throw new RegistryError(`registry entry "${dup}" appears more than once (duplicate key)`);
  validateRegistry(raw);
  return raw as KeyRegistry;
}

export function validateRegistry(raw: unknown): asserts raw is KeyRegistry {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new RegistryError('registry must be a JSON object { "<uuid>": "<base64 of 64 bytes>" }');
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length === 0) throw new RegistryError("registry is empty: it needs at least one entry (run `arda-mail keys seed`)");
  const seenValues = new Set<string>();
  entries.forEach(([id, value], i) => {
    const at = `registry entry #${i + 1} "${id}"`;
    if (!ID.test(id)) {
      throw new RegistryError(
        ID_ANY_CASE.test(id) ? `${at}: key is an upper-case UUID; registry ids are lower-case (8-4-4-4-12 hex digits a-f, 0-9)` : `${at}: key is not a UUID (8-4-4-4-12 lower-case hex digits)`,
      );
    }
    if (typeof value !== "string") throw new RegistryError(`${at}: value must be a base64 string`);
    if (!BASE64.test(value) || value.length % 4 !== 0) throw new RegistryError(`${at}: value is not standard base64`);
    const bytes = Buffer.from(value, "base64").length;
    if (bytes !== KEY_BYTES || !VALUE.test(value)) throw new RegistryError(`${at}: value decodes to ${bytes} bytes, expected exactly ${KEY_BYTES}`);
    if (seenValues.has(value)) throw new RegistryError(`${at}: same key material as an earlier entry (duplicate value)`);
    seenValues.add(value);
  });
}

function firstDuplicateKey(text: string): string | undefined {
  // Keys of a flat object: every "…" followed by a colon. Values are base64 (no quotes inside).
  const seen = new Set<string>();
  for (const m of text.matchAll(/"((?:[^"\\]|\\.)*)"\s*:/g)) {
    if (seen.has(m[1])) return m[1];
    seen.add(m[1]);
  }
  return undefined;
}

/** A fresh entry: UUID v4 id, 64 bytes from the OS CSPRNG. */
export function newKeyEntry(): [string, string] {
  return [randomUUID(), randomBytes(KEY_BYTES).toString("base64")];
}

/** Append a new entry (newest last), keeping every old one in order. */
export function appendKey(registry: KeyRegistry, entry: [string, string] = newKeyEntry()): KeyRegistry {
  if (entry[0] in registry) throw new RegistryError(`registry entry "${entry[0]}" already exists`);
  return { ...registry, [entry[0]]: entry[1] };
}

export function serializeRegistry(registry: KeyRegistry): string {
  return JSON.stringify(registry);
}

/** The public description of a registry: ids in order and which is current — no key material. */
export function describeRegistry(registry: KeyRegistry): { entries: number; ids: string[]; current: string } {
  const ids = Object.keys(registry);
  return { entries: ids.length, ids, current: ids[ids.length - 1] };
}
