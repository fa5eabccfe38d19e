import { parseSecretRef, SecretNotFoundError, type SecretStore } from "./store";

/** The slice of `@1password/sdk`'s client this store uses (loaded lazily: the SDK's WASM core is slow to start). */
export interface OpClient {
  secrets: { resolve(ref: string): Promise<string> };
  vaults: { list(): Promise<Array<{ id: string; title: string }>> };
  items: {
    list(vaultId: string): Promise<Array<{ id: string; title: string }>>;
    get(vaultId: string, itemId: string): Promise<OpItem>;
    put(item: OpItem): Promise<OpItem>;
    create(params: { category: string; vaultId: string; title: string; fields: OpField[] }): Promise<OpItem>;
  };
}
export interface OpField {
  id: string;
  title: string;
  fieldType: string;
  value: string;
}
export interface OpItem {
  id: string;
  vaultId: string;
  fields: OpField[];
  [k: string]: unknown;
}

/**
 * 1Password through `@1password/sdk`: a service account (`OP_SERVICE_ACCOUNT_TOKEN`) or, without
 * one, the desktop-app integration for the account named in `OP_ACCOUNT`.
 */
export class OnePasswordStore implements SecretStore {
  readonly description = "1Password";
  private client?: Promise<OpClient>;

  /** `connectWith` replaces the SDK (tests: a stand-in with the SDK's semantics). */
  constructor(
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly connectWith?: () => Promise<OpClient>,
  ) {}

  private connect(): Promise<OpClient> {
    if (this.connectWith) return (this.client ??= this.connectWith());
    this.client ??= (async () => {
      const sdk = await import("@1password/sdk");
      const token = this.env.OP_SERVICE_ACCOUNT_TOKEN;
      let auth: string | InstanceType<typeof sdk.DesktopAuth>;
      if (token) auth = token;
      else if (this.env.OP_ACCOUNT) auth = new sdk.DesktopAuth(this.env.OP_ACCOUNT);
      else throw new Error("1Password: set OP_SERVICE_ACCOUNT_TOKEN (service account) or OP_ACCOUNT (desktop-app integration), or use --secrets file:<path> for the sandbox");
      return (await sdk.createClient({ auth, integrationName: "arda-mail", integrationVersion: "0.1.0" })) as unknown as OpClient;
    })();
    return this.client;
  }

  async read(ref: string): Promise<string> {
    parseSecretRef(ref);
    const c = await this.connect();
    try {
      return await c.secrets.resolve(ref);
    } catch (e) {
      throw new SecretNotFoundError(ref, `1Password (${(e as Error).message})`);
    }
  }

  async exists(ref: string): Promise<boolean> {
    return (await this.findItem(ref)).itemId !== undefined;
  }

  private async findItem(ref: string): Promise<{ vaultId: string; itemId?: string }> {
    const { vault, item } = parseSecretRef(ref);
    const c = await this.connect();
    const v = (await c.vaults.list()).find((x) => x.title === vault || x.id === vault);
    if (!v) throw new Error(`1Password vault "${vault}" is not visible to this account`);
    const it = (await c.items.list(v.id)).find((x) => x.title === item || x.id === item);
    return { vaultId: v.id, itemId: it?.id };
  }

  async write(ref: string, value: string): Promise<void> {
    await this.update(ref, () => value);
  }

  /**
   * 1Password has no lock; `items.put` carries the item's version and the SDK refuses a stale one
   * (itemStatusIncorrectItemVersion). On that refusal the item is read again and `change` re-applied.
   */
  async update(ref: string, change: (current: string | undefined) => string): Promise<string> {
    const { item, field } = parseSecretRef(ref);
    const c = await this.connect();
    for (let attempt = 1; ; attempt++) {
      const found = await this.findItem(ref);
      if (!found.itemId) {
        const value = change(undefined);
        await c.items.create({ category: "ApiCredentials", vaultId: found.vaultId, title: item, fields: [{ id: field, title: field, fieldType: "Concealed", value }] });
        return value;
      }
      const current = await c.items.get(found.vaultId, found.itemId);
      const before = current.fields.find((x) => x.id === field || x.title === field)?.value;
      const value = change(before);
      if (value === before) return value; // unchanged: no new item version
      const others = current.fields.filter((x) => x.id !== field && x.title !== field);
      try {
        await c.items.put({ ...current, fields: [...others, { id: field, title: field, fieldType: "Concealed", value }] });
        return value;
      } catch (e) {
        if (!/IncorrectItemVersion/i.test((e as Error).message) || attempt >= UPDATE_ATTEMPTS) throw e;
      }
    }
  }
}

/** Re-reads after a version conflict before giving up (each conflict means another writer won). */
const UPDATE_ATTEMPTS = 5;
