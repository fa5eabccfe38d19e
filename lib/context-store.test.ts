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
    expect(fs.readFileSync(file, "utf8")).toBe(`{\n  "language": "typescript",\n  "app": "npx ts-node main.ts",\n  "context": {\n    "a": 1,\n    "partitionMail:X:y": {\n      "domainId": 1\n    }\n  },\n  "zz": true\n}\n`);
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

  test("the lock serialises writers; a held lock times out with a message naming the lock file", async () => {
    let release!: () => void;
    const held = withFileLock(file, () => new Promise<void>((r) => (release = r)));
    await new Promise((r) => setTimeout(r, 20));
    await expect(withFileLock(file, () => undefined, { timeoutMs: 100 })).rejects.toThrow(`${file} is locked by another arda-mail process (${file}.lock)`);
    release();
    await held;
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
  });

  test("50 writers in 5 processes: no write is lost", async () => {
    const script = path.join(dir, "writer.js");
    const storePath = require.resolve("./context-store").replace(/\.ts$/, "");
    // Child processes run the TypeScript through swc's register hook-free path: transpile on the fly with @swc/core.
    fs.writeFileSync(
      script,
      `const swc=require(${JSON.stringify(require.resolve("@swc/core"))});const fs=require("fs");const Module=require("module");
       const orig=Module._extensions[".js"];Module._extensions[".ts"]=(m,f)=>{const out=swc.transformSync(fs.readFileSync(f,"utf8"),{filename:f,module:{type:"commonjs"},jsc:{parser:{syntax:"typescript"},target:"es2022"}});m._compile(out.code,f)};
       const {setContextEntries}=require(${JSON.stringify(storePath + ".ts")});
       (async()=>{for(let i=0;i<10;i++){await setContextEntries(process.argv[2],{["w"+process.argv[3]+"-"+i]:i});}})().catch(e=>{console.error(e);process.exit(1)});`,
    );
    const codes = await Promise.all(
      [0, 1, 2, 3, 4].map(
        (n) => new Promise<number | null>((resolve) => fork(script, [file, String(n)], { cwd: process.cwd(), execArgv: [], stdio: ["ignore", "inherit", "inherit", "ipc"] }).on("exit", resolve)),
      ),
    );
    expect(codes).toEqual([0, 0, 0, 0, 0]);
    expect(Object.keys(readContextEntries(file))).toHaveLength(51);
    expect(fs.readdirSync(dir).sort()).toEqual(["cdktf.json", "writer.js"]);
  });
});
