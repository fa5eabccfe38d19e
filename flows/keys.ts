import { partitionKeyRegistryRef } from "../platform/names";
import { appendKey, describeRegistry, newKeyEntry, parseRegistry, RegistryError, serializeRegistry } from "../lib/keys";
import { SecretNotFoundError, type SecretStore } from "../lib/secrets";
import { FlowError } from "./errors";

export interface KeysResult {
  readonly ref: string;
  readonly action: "created" | "unchanged" | "appended" | "checked";
  readonly entries: number;
  readonly ids: string[];
  readonly current: string;
}

export async function seedRegistry(store: SecretStore, ref: string, remember: (v: string) => void): Promise<KeysResult> {
  let result: KeysResult | undefined;
  // One update: two concurrent seeds create one registry, never two different first keys.
  await store.update(ref, (text) => {
    if (text !== undefined) {
      remember(text);
      result = { ref, action: "unchanged", ...describeRegistry(parseRegistryOrFail(text, ref)) };
      return text;
    }
    const entry = newKeyEntry();
    remember(entry[1]);
    const out = serializeRegistry({ [entry[0]]: entry[1] });
    remember(out);
    result = { ref, action: "created", ...describeRegistry({ [entry[0]]: entry[1] }) };
    return out;
  });
  return result!;
}

export async function rotateRegistry(store: SecretStore, ref: string, remember: (v: string) => void): Promise<KeysResult> {
  let next: ReturnType<typeof parseRegistry> | undefined;
  // Read, append and write as one update: four concurrent rotations end with four new entries.
  await store
    .update(ref, (text) => {
      if (text === undefined) throw new FlowError(`no key registry at ${ref}`, "seed it first: arda-mail keys seed <infrastructure> <partition>");
      remember(text);
      const entry = newKeyEntry();
      remember(entry[1]);
      next = appendKey(parseRegistryOrFail(text, ref), entry);
      const out = serializeRegistry(next);
      remember(out);
      // The appended registry must still deploy (size bound): refuse before writing.
      parseRegistryOrFail(out, `${ref} after appending`);
      return out;
    })
    .catch((e: Error) => {
      if (e instanceof FlowError) throw e;
      if (e instanceof SecretNotFoundError) throw new FlowError(`no key registry at ${ref}`, "seed it first: arda-mail keys seed <infrastructure> <partition>");
      throw e;
    });
  return { ref, action: "appended", ...describeRegistry(next!) };
}

/** Parse a registry; a bad one fails naming where it came from and where to repair it. */
export function parseRegistryOrFail(text: string, where: string, source: "store" | "file" = "store"): ReturnType<typeof parseRegistry> {
  try {
    return parseRegistry(text);
  } catch (e) {
    if (e instanceof RegistryError) {
      const next =
        source === "file"
          ? `repair ${where} (append-only: never delete an entry that encrypted data may still use), then re-run \`arda-mail keys check --file ${where}\``
          : "repair the registry in 1Password (append-only: never delete an entry that encrypted data may still use), then re-run `arda-mail keys check`";
      throw new FlowError(`${where}: ${e.message}`, next);
    }
    throw e;
  }
}

export { partitionKeyRegistryRef };
