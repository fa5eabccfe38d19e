/**
 * `arda-mail keys` as real processes (bin/arda-mail, compiled dist): concurrent rotations lose no
 * entry; a broken secret store or registry file is named for what it is, with the file to repair.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { newKeyEntry } from "../../../lib/keys";
import { runBin, runBinAsOperator } from "../../../testing/cli";

jest.setTimeout(120_000);
const REF = "op://Arda-DevOAM/EmailEncryptionKey/registry";

let dir: string;
let secrets: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "arda-keys-proc-"));
  secrets = path.join(dir, "secrets.json");
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
const flags = (): string[] => ["--platform", "sandbox", "--secrets", `file:${secrets}`];
const registryIds = (): string[] => Object.keys(JSON.parse(JSON.parse(fs.readFileSync(secrets, "utf8"))[REF]) as object);

test("four concurrent `keys rotate` processes all keep their entry (read-modify-write under the lock), trial after trial", async () => {
  for (let trial = 1; trial <= 3; trial++) {
    const [id, key] = newKeyEntry();
    fs.writeFileSync(secrets, JSON.stringify({ [REF]: JSON.stringify({ [id]: key }) }), { mode: 0o600 });
    const runs = await Promise.all(Array.from({ length: 4 }, () => runBin(["keys", "rotate", "Alpha002", "dev", ...flags(), "--json"])));
    for (const r of runs) {
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/appended [0-9a-f-]{36}; \d entries, all previous kept/);
    }
    const ids = registryIds();
    expect(ids).toHaveLength(5);
    expect(ids[0]).toBe(id);
    expect(new Set(runs.map((r) => (JSON.parse(r.stdout) as { current: string }).current))).toEqual(new Set(ids.slice(1)));
    // Each process saw a different registry size: 2, 3, 4, 5 entries.
    expect(runs.map((r) => (JSON.parse(r.stdout) as { entries: number }).entries).sort()).toEqual([2, 3, 4, 5]);
  }
});

test("a secrets file that is a directory, or unreadable, is reported as such (not as invalid JSON)", async () => {
  fs.mkdirSync(secrets);
  const d = await runBin(["keys", "check", "Alpha002", "dev", ...flags()]);
  expect(d.code).toBe(1);
  expect(d.stderr).toContain(`Error: cannot resolve the key registry of Alpha002/dev (${REF}): secrets file ${secrets} is a directory, not a file`);
  expect(d.stderr).toContain(`Next: fix secrets file ${secrets}, or choose another store with --secrets`);
  expect(d.stderr).not.toContain("not valid JSON");
  fs.rmdirSync(secrets);

  fs.writeFileSync(secrets, "{}", { mode: 0o000 });
  fs.chmodSync(secrets, 0o000);
  // Root reads any file (CAP_DAC_OVERRIDE): run as an operator whom the file's mode binds.
  const u = await runBinAsOperator(["keys", "check", "Alpha002", "dev", ...flags()]);
  expect(u.code).toBe(1);
  expect(u.stderr).toContain(`secrets file ${secrets} is not accessible: permission denied`);
  expect(u.stderr).not.toContain("not valid JSON");
});

test("keys check --file names the file to repair (not 1Password); a directory or missing file in words; upper-case ids and an oversize registry refused", async () => {
  const file = path.join(dir, "registry.json");
  const [id, key] = newKeyEntry();
  fs.writeFileSync(file, JSON.stringify({ [id.toUpperCase()]: key }));
  const up = await runBin(["keys", "check", "--file", file]);
  expect(up.code).toBe(1);
  expect(up.stderr).toContain(`Error: ${file}: registry entry #1 "${id.toUpperCase()}": key is an upper-case UUID; registry ids are lower-case`);
  expect(up.stderr).toContain(`Next: repair ${file} (append-only: never delete an entry that encrypted data may still use), then re-run \`arda-mail keys check --file ${file}\``);
  expect(up.stderr).not.toContain("1Password");
  expect(up.stderr + up.stdout).not.toContain(key);

  fs.writeFileSync(file, JSON.stringify(Object.fromEntries(Array.from({ length: 2001 }, () => newKeyEntry()))));
  const big = await runBin(["keys", "check", "--file", file]);
  expect(big.code).toBe(1);
  expect(big.stderr).toMatch(/registry is 26\d,\d{3} bytes; at most 65,536 deploy \(the Secrets Manager limit, about 504 entries\)/);

  const asDir = await runBin(["keys", "check", "--file", dir]);
  expect(asDir.code).toBe(1);
  expect(asDir.stderr).toContain(`Error: cannot read ${dir}: it is a directory, not a file`);
  expect(asDir.stderr).not.toMatch(/EISDIR/);
  const missing = await runBin(["keys", "check", "--file", path.join(dir, "nope.json")]);
  expect(missing.stderr).toContain(`cannot read ${path.join(dir, "nope.json")}: it does not exist`);
});
