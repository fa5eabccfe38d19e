import { OnePasswordStore, type OpClient, type OpItem } from "./onepassword-store";
import { SecretNotFoundError } from "./store";

/**
 * A stand-in for `@1password/sdk`'s client (1Password cannot be reached here), with the SDK's
 * semantics for the calls the store makes: vaults and items addressed by id, `secrets.resolve`
 * by op://<vault title>/<item title>/<field title>, `items.put` replacing the whole item.
 */
function fakeOp(): { client: OpClient; items: OpItem[] } {
  const vaults = [{ id: "v1", title: "Arda-CorporateOAM" }];
  const items: OpItem[] = [];
  let n = 0;
  const client: OpClient = {
    secrets: {
      resolve: async (ref) => {
        const [, , vault, item, field] = ref.split("/");
        const v = vaults.find((x) => x.title === vault);
        const it = items.find((x) => x.vaultId === v?.id && x.title === item);
        const f = it?.fields.find((x) => x.title === field || x.id === field);
        if (!f) throw new Error(`error resolving secret reference: no item matched`);
        return f.value;
      },
    },
    vaults: { list: async () => vaults },
    items: {
      list: async (vaultId) => items.filter((x) => x.vaultId === vaultId).map((x) => ({ id: x.id, title: x.title as string })),
      get: async (vaultId, itemId) => structuredClone(items.find((x) => x.vaultId === vaultId && x.id === itemId)!),
      put: async (item) => {
        items.splice(
          items.findIndex((x) => x.id === item.id),
          1,
          structuredClone(item),
        );
        return item;
      },
      create: async (p) => {
        const item: OpItem = { id: `i${++n}`, vaultId: p.vaultId, title: p.title, category: p.category, fields: structuredClone(p.fields) };
        items.push(item);
        return item;
      },
    },
  };
  return { client, items };
}

describe("1Password store (through the SDK's client interface)", () => {
  const REF = "op://Arda-CorporateOAM/Free-Kanban-Generator-Postmark-Server/credential";

  test("write creates the item once, then replaces only that field; read and exists resolve it", async () => {
    const op = fakeOp();
    const store = new OnePasswordStore({}, async () => op.client);
    expect(await store.exists(REF)).toBe(false);
    await expect(store.read(REF)).rejects.toBeInstanceOf(SecretNotFoundError);
    await store.write(REF, "token-1");
    await store.write("op://Arda-CorporateOAM/Free-Kanban-Generator-Postmark-Server/notes", "public");
    await store.write(REF, "token-2");
    expect(op.items).toHaveLength(1);
    expect(op.items[0].fields.map((f) => [f.title, f.value, f.fieldType])).toEqual([
      ["notes", "public", "Concealed"],
      ["credential", "token-2", "Concealed"],
    ]);
    expect(await store.read(REF)).toBe("token-2");
    expect(await store.exists(REF)).toBe(true);
  });

  test("an unknown vault is named", async () => {
    const store = new OnePasswordStore({}, async () => fakeOp().client);
    await expect(store.write("op://Nope/Item/field", "x")).rejects.toThrow('1Password vault "Nope" is not visible to this account');
  });

  test("update is a compare-and-swap on the item version: a concurrent write in between is re-read, not lost", async () => {
    const op = fakeOp();
    const store = new OnePasswordStore({}, async () => op.client);
    await store.write(REF, "a");
    // SDK semantics: put with a stale version is refused (itemStatusIncorrectItemVersion).
    const versions = new Map<string, number>([[op.items[0].id, 1]]);
    const get = op.client.items.get;
    const put = op.client.items.put;
    op.client.items.get = async (v, i) => ({ ...(await get(v, i)), version: versions.get(i) });
    op.client.items.put = async (item) => {
      if (item.version !== versions.get(item.id)) throw new Error('error updating item: {"type":"itemStatusIncorrectItemVersion"}');
      versions.set(item.id, (item.version as number) + 1);
      return put(item);
    };
    let raced = false;
    const seen: Array<string | undefined> = [];
    const result = await store.update(REF, (cur) => {
      seen.push(cur);
      if (!raced) {
        raced = true;
        // Another writer gets in between this read and this write.
        const it = op.items[0];
        it.fields = it.fields.map((f) => (f.title === "credential" ? { ...f, value: "a+b" } : f));
        versions.set(it.id, 2);
      }
      return `${cur}+c`;
    });
    expect(seen).toEqual(["a", "a+b"]);
    expect(result).toBe("a+b+c");
    expect(await store.read(REF)).toBe("a+b+c");
  });
});
