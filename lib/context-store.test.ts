import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fork } from "node:child_process";
import { readContextEntries, setContextEntries } from "./context-store";
import { withFileLock } from "./atomic-file";

describe("context store (DQ-R1-025)", () => {
  let dir: string;
  let file: string;
  const original = `{\n  "language": "typescript",\n  "app": "npx ts-node main.ts",\n  "context": {\n    "a": 1\n  },\n  "zz": true\n}\n`;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ctx-store-"));
    file = path.join(dir, "cdktf.json");
    fs.writeFileSync(file, original);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("sets keys, keeps every other key in order with 2-space formatting; unchanged values are not rewritten", async () => {
    expect(await setContextEntries(file, { "partitionMail:X:y": { domainId: 1 } })).toEqual({ changed: true, changedKeys: ["partitionMail:X:y"] });
    expect(fs.readFileSync(file, "utf8")).toBe(
      `{\n  "language": "typescript",\n  "app": "npx ts-node main.ts",\n  "context": {\n    "a": 1,\n    "partitionMail:X:y": {\n      "domainId": 1\n    }\n  },\n  "zz": true\n}\n`,
    );
    const m = fs.statSync(file).mtimeMs;
    expect(await setContextEntries(file, { "partitionMail:X:y": { domainId: 1 } })).toEqual({ changed: false, changedKeys: [] });
    expect(fs.statSync(file).mtimeMs).toBe(m);
    expect(readContextEntries(file)).toEqual({ a: 1, "partitionMail:X:y": { domainId: 1 } });
  });

  test("a missing file is created; a corrupt one is refused untouched", async () => {
    const fresh = path.join(dir, "new.json");
    await setContextEntries(fresh, { k: "v" });
    expect(JSON.parse(fs.readFileSync(fresh, "utf8"))).toEqual({ context: { k: "v" } });
    fs.writeFileSync(file, "{ broken");
    await expect(setContextEntries(file, { k: "v" })).rejects.toThrow(/is not valid JSON .*fix or restore it/);
    expect(fs.readFileSync(file, "utf8")).toBe("{ broken");
  });

  test('a "context" that is a string or a list is refused, not overwritten; the message names the file (one reader: platform/context-file)', async () => {
    for (const text of ['{"context":"hand-written"}', '{"context":["a"]}']) {
      fs.writeFileSync(file, text);
      await expect(setContextEntries(file, { k: "v" })).rejects.toThrow(`${file}: "context" must be an object of register entries`);
      expect(() => readContextEntries(file)).toThrow("arda-mail will not overwrite it");
      expect(fs.readFileSync(file, "utf8")).toBe(text);
    }
  });

  test("the lock serialises writers; a held lock times out with a message naming the lock file", async () => {
    let release!: () => void;
    const held = withFileLock(file, () => new Promise<void>((r) => (release = r)));
    await new Promise((r) => setTimeout(r, 20));
    await expect(withFileLock(file, () => undefined, { timeoutMs: 100 })).rejects.toThrow(`${file} is locked by arda-mail process ${process.pid} (holding it since `);
    release();
    await held;
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
  });

  /** Starts `n` processes that each write `perProcess` keys through `setContextEntries`, all at one instant; resolves their exit codes. */
  function runWriters(n: number, perProcess: number): Promise<(number | null)[]> {
    // All start writing at one instant (after each has loaded the code), so they contend for the lock.
    const startAt = Date.now() + 1500;
    const script = path.join(dir, "writer.js");
    const storePath = require.resolve("./context-store").replace(/\.ts$/, "");
    // Child processes run the TypeScript through swc's register hook-free path: transpile on the fly with @swc/core.
    fs.writeFileSync(
      script,
      `const swc=require(${JSON.stringify(require.resolve("@swc/core"))});const fs=require("fs");const Module=require("module");
       const orig=Module._extensions[".js"];Module._extensions[".ts"]=(m,f)=>{const out=swc.transformSync(fs.readFileSync(f,"utf8"),{filename:f,module:{type:"commonjs"},jsc:{parser:{syntax:"typescript"},target:"es2022"}});m._compile(out.code,f)};
       const {setContextEntries}=require(${JSON.stringify(storePath + ".ts")});
       (async()=>{const go=Number(process.argv[4]);while(Date.now()<go)await new Promise(r=>setImmediate(r));for(let i=0;i<${perProcess};i++){await setContextEntries(process.argv[2],{["w"+process.argv[3]+"-"+i]:i});}})().catch(e=>{console.error(e);process.exit(1)});`,
    );
    return Promise.all(
      Array.from(
        { length: n },
        (_, k) =>
          new Promise<number | null>((resolve) =>
            fork(script, [file, String(k), String(startAt)], { cwd: process.cwd(), execArgv: [], stdio: ["ignore", "inherit", "inherit", "ipc"] }).on("exit", resolve),
          ),
      ),
    );
  }

  test("50 writers in 5 processes: no write is lost", async () => {
    expect(await runWriters(5, 10)).toEqual([0, 0, 0, 0, 0]);
    expect(Object.keys(readContextEntries(file))).toHaveLength(51);
    expect(fs.readdirSync(dir).sort()).toEqual(["cdktf.json", "writer.js"]);
  });

  // CI once lost a write here: every waiter judged the dead owner's lock stale, one removed it and
  // took the lock, and a slower one then removed that fresh lock too — two writers at once.
  test("a stale lock left by a dead process is taken over by exactly one of many waiting writers", async () => {
    for (let round = 0; round < 3; round++) {
      fs.writeFileSync(file, original);
      fs.writeFileSync(`${file}.lock`, JSON.stringify({ pid: deadPid(), at: "2020-01-01T00:00:00Z" }));
      expect(await runWriters(8, 1)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
      expect(Object.keys(readContextEntries(file)).sort()).toEqual(["a", "w0-0", "w1-0", "w2-0", "w3-0", "w4-0", "w5-0", "w6-0", "w7-0"]);
      expect(fs.readdirSync(dir).sort()).toEqual(["cdktf.json", "writer.js"]);
    }
  });

  test("a lock is released only by its owner: a holder whose lock was replaced does not delete the new one", async () => {
    await withFileLock(file, () => {
      fs.writeFileSync(`${file}.lock`, JSON.stringify({ pid: process.pid, token: "someone-else" }));
    });
    expect(JSON.parse(fs.readFileSync(`${file}.lock`, "utf8"))).toEqual({ pid: process.pid, token: "someone-else" });
  });
});

/** A pid that no process has: the highest pid is never handed out while we look. */
function deadPid(): number {
  for (let pid = 4_000_000; ; pid--) {
    try {
      process.kill(pid, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ESRCH") return pid;
    }
  }
}
