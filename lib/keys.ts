import { randomBytes, randomUUID } from "node:crypto";

/**
 * The encryption-key registry (DQ-R1-032): a non-empty JSON map `{ "<uuid v4>": "<base64 of exactly
 * 64 random bytes>" }`, ordered newest last (the last key is the current version), append-only.
 * The operations module fail-fasts on any other shape, so `validateRegistry` checks exactly that and
 * names the first bad entry. Messages name entries by their key and position — never by value.
 */
export type KeyRegistry = Record<string, string>;

export const KEY_BYTES = 64;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export class RegistryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RegistryError";
  }
}

/** Parse and validate registry JSON text; throws RegistryError naming the first problem. */
export function parseRegistry(text: string): KeyRegistry {
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
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new RegistryError("registry must be a JSON object { \"<uuid>\": \"<base64 of 64 bytes>\" }");
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length === 0) throw new RegistryError("registry is empty: it needs at least one entry (run `arda-mail keys seed`)");
  const seenValues = new Set<string>();
  entries.forEach(([id, value], i) => {
    const at = `registry entry #${i + 1} "${id}"`;
    if (!UUID_V4.test(id)) throw new RegistryError(`${at}: key is not a UUID v4`);
    if (typeof value !== "string") throw new RegistryError(`${at}: value must be a base64 string`);
    if (!BASE64.test(value) || value.length % 4 !== 0) throw new RegistryError(`${at}: value is not standard base64`);
    const bytes = Buffer.from(value, "base64").length;
    if (bytes !== KEY_BYTES) throw new RegistryError(`${at}: value decodes to ${bytes} bytes, expected exactly ${KEY_BYTES}`);
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
