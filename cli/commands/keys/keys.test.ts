import * as fs from "node:fs";
import * as path from "node:path";
import * as os from "node:os";
import { runInProcess } from "../../../testing/cli";
import KeysCheck from "./check";
import KeysSeed from "./seed";
import KeysRotate from "./rotate";

const REF = "op://Arda-DevOAM/EmailEncryptionKey/registry";

describe("arda-mail keys", () => {
  let dir: string;
  let secrets: string;
  let flags: string[];
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "arda-keys-"));
    secrets = path.join(dir, "secrets.json");
    fs.writeFileSync(secrets, "{}");
    flags = ["--platform", "sandbox", "--secrets", `file:${secrets}`];
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const registry = (): Record<string, string> => JSON.parse(JSON.parse(fs.readFileSync(secrets, "utf8"))[REF]);

  test("seed creates the first entry once; rotate appends and keeps every old one; check validates; key material never printed", async () => {
    const s = await runInProcess(KeysSeed, ["Alpha002", "dev", ...flags, "--json"]);
    expect(s.code).toBe(0);
    const r1 = registry();
    expect(Object.keys(r1)).toHaveLength(1);
    expect(JSON.parse(s.stdout)).toMatchObject({ ref: REF, action: "created", entries: 1 });

    const again = await runInProcess(KeysSeed, ["Alpha002", "dev", ...flags]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("a registry already exists (1 entries) — unchanged");
    expect(registry()).toEqual(r1);

    const rot = await runInProcess(KeysRotate, ["Alpha002", "dev", ...flags, "--json"]);
    expect(rot.code).toBe(0);
    const r2 = registry();
    expect(Object.keys(r2)).toHaveLength(2);
    expect(Object.entries(r2)[0]).toEqual(Object.entries(r1)[0]);
    expect(JSON.parse(rot.stdout).current).toBe(Object.keys(r2)[1]);

    const chk = await runInProcess(KeysCheck, ["Alpha002", "dev", ...flags, "--json"]);
    expect(chk.code).toBe(0);
    expect(JSON.parse(chk.stdout)).toMatchObject({ action: "checked", entries: 2 });
    for (const o of [s, again, rot, chk]) for (const v of Object.values(r2)) expect(o.stdout + o.stderr).not.toContain(v);
  });

  test("check names the first bad entry (from the store and from --file), exit non-zero", async () => {
    const bad = { "0f8fad5b-d9cb-469f-a165-70867728950e": Buffer.alloc(64, 1).toString("base64"), "not-a-uuid": Buffer.alloc(64, 2).toString("base64") };
    fs.writeFileSync(secrets, JSON.stringify({ [REF]: JSON.stringify(bad) }));
    const o = await runInProcess(KeysCheck, ["Alpha002", "dev", ...flags]);
    expect(o.code).not.toBe(0);
    expect(o.stderr).toContain(`${REF}: registry entry #2 "not-a-uuid": key is not a UUID v4`);
    expect(o.stderr).not.toContain(bad["not-a-uuid"]);
    const file = path.join(dir, "reg.json");
    fs.writeFileSync(file, "{}");
    const f = await runInProcess(KeysCheck, ["--file", file, ...flags]);
    expect(f.code).not.toBe(0);
    expect(f.stderr).toContain("registry is empty");
  });

  test("rotate without a registry, and keys for a suspended partition", async () => {
    const r = await runInProcess(KeysRotate, ["Alpha002", "dev", ...flags]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`no key registry at ${REF}`);
    expect(r.stderr).toContain("Next: seed it first");
    const k = await runInProcess(KeysSeed, ["Alpha001", "kyle", ...flags]);
    expect(k.code).not.toBe(0);
    expect(k.stderr).toContain('partition "kyle" is suspended');
  });
});
