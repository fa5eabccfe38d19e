import { partitionKeyRegistryRef } from "../platform/names";
import { appendKey, describeRegistry, newKeyEntry, parseRegistry, RegistryError, serializeRegistry } from "../lib/keys";
import type { SecretStore } from "../lib/secrets";
import { FlowError } from "./errors";

export interface KeysResult {
  readonly ref: string;
  readonly action: "created" | "unchanged" | "appended" | "checked";
  readonly entries: number;
  readonly ids: string[];
  readonly current: string;
}

export async function seedRegistry(store: SecretStore, ref: string, remember: (v: string) => void): Promise<KeysResult> {
  if (await store.exists(ref)) {
    const text = await store.read(ref).catch(() => undefined);
    if (text !== undefined) {
      remember(text);
      const reg = parseRegistryOrFail(text, ref);
      return { ref, action: "unchanged", ...describeRegistry(reg) };
    }
  }
  const entry = newKeyEntry();
  remember(entry[1]);
  const text = serializeRegistry({ [entry[0]]: entry[1] });
  remember(text);
  await store.write(ref, text);
  return { ref, action: "created", ...describeRegistry({ [entry[0]]: entry[1] }) };
}

export async function rotateRegistry(store: SecretStore, ref: string, remember: (v: string) => void): Promise<KeysResult> {
  const text = await store.read(ref).catch(() => {
    throw new FlowError(`no key registry at ${ref}`, "seed it first: arda-mail keys seed <infrastructure> <partition>");
  });
  remember(text);
  const reg = parseRegistryOrFail(text, ref);
  const entry = newKeyEntry();
  remember(entry[1]);
  const next = appendKey(reg, entry);
  const out = serializeRegistry(next);
  remember(out);
  await store.write(ref, out);
  return { ref, action: "appended", ...describeRegistry(next) };
}

export function parseRegistryOrFail(text: string, where: string): ReturnType<typeof parseRegistry> {
  try {
    return parseRegistry(text);
  } catch (e) {
    if (e instanceof RegistryError) {
      throw new FlowError(`${where}: ${e.message}`, "repair the registry in 1Password (append-only: never delete an entry that encrypted data may still use), then re-run `arda-mail keys check`");
    }
    throw e;
  }
}

export { partitionKeyRegistryRef };
