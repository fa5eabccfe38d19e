import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FileSecretStore, OnePasswordStore, selectSecretStore, SecretNotFoundError } from "./index";

describe("secret stores", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "secrets-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("file store: read / write / exists by op:// reference; 0600; atomic; unknown refs do not resolve", async () => {
    const file = path.join(dir, "s.json");
    const s = new FileSecretStore(file);
    await expect(s.read("op://V/Item/credential")).rejects.toBeInstanceOf(SecretNotFoundError);
    await s.write("op://V/Item/credential", "value-1");
    expect(await s.read("op://V/Item/credential")).toBe("value-1");
    expect(await s.exists("op://V/Item/other-field")).toBe(true);
    expect(await s.exists("op://V/Nope/credential")).toBe(false);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual(["s.json"]);
    await expect(s.read("not-a-ref")).rejects.toThrow('"not-a-ref" is not a 1Password reference (op://<vault>/<item>/<field>)');
  });

  test("a corrupt secrets file is reported without quoting its content", async () => {
    const file = path.join(dir, "s.json");
    fs.writeFileSync(file, '{"op://V/I/f": "super-secret-value-123" oops');
    const err = await new FileSecretStore(file).read("op://V/I/f").catch((e: Error) => e);
    expect((err as Error).message).toBe(`secrets file ${file} is not valid JSON`);
  });

  test("selection: file:<path>, op, env, bad spec; 1Password without credentials says how to authenticate", async () => {
    expect(selectSecretStore("file:/tmp/x.json")).toBeInstanceOf(FileSecretStore);
    expect(selectSecretStore(undefined, { ARDA_MAIL_SECRETS: "file:/tmp/y.json" })).toBeInstanceOf(FileSecretStore);
    expect(selectSecretStore("op", {})).toBeInstanceOf(OnePasswordStore);
    expect(() => selectSecretStore("vault")).toThrow('--secrets "vault": expected "op" (1Password) or "file:<path>"');
    await expect(new OnePasswordStore({}).read("op://V/I/f")).rejects.toThrow("1Password: set OP_SERVICE_ACCOUNT_TOKEN (service account) or OP_ACCOUNT (desktop-app integration)");
  });
});
