import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { withFileLock, writeFileAtomic } from "./atomic-file";

describe("writeFileAtomic", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "arda-atomic-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const modeOf = (f: string): number => fs.statSync(f).mode & 0o7777;

  test("a replaced file keeps its mode: 0444 stays 0444, 0600 stays 0600; a new file gets the given mode exactly (umask aside)", () => {
    const ro = path.join(dir, "cdktf.json");
    fs.writeFileSync(ro, "{}");
    fs.chmodSync(ro, 0o444);
    writeFileAtomic(ro, '{"a":1}\n');
    expect(fs.readFileSync(ro, "utf8")).toBe('{"a":1}\n');
    expect(modeOf(ro)).toBe(0o444);

    const secret = path.join(dir, "secrets.json");
    fs.writeFileSync(secret, "{}", { mode: 0o600 });
    fs.chmodSync(secret, 0o600);
    writeFileAtomic(secret, "{}\n", 0o644);
    expect(modeOf(secret)).toBe(0o600);

    const fresh = path.join(dir, "fresh.json");
    const old = process.umask(0o077);
    try {
      writeFileAtomic(fresh, "{}\n", 0o640);
    } finally {
      process.umask(old);
    }
    expect(modeOf(fresh)).toBe(0o640);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  test("a target that is a directory is reported in words, never a raw EISDIR", () => {
    const d = path.join(dir, "rollout.json");
    fs.mkdirSync(d);
    expect(() => writeFileAtomic(d, "{}")).toThrow(`cannot write ${d}: it is a directory, not a file (EISDIR)`);
    expect(fs.readdirSync(dir)).toEqual(["rollout.json"]);
  });
});

describe("withFileLock", () => {
  let dir: string;
  let holder: ChildProcess | undefined;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "arda-lock-"))));
  afterEach(() => {
    holder?.kill("SIGKILL");
    holder = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("a lock held by a live process names that process (pid) after the wait", async () => {
    const file = path.join(dir, "cdktf.json");
    // Another real process takes the lock the way withFileLock does (O_EXCL + owner record) and keeps running.
    const script = `const fs=require("fs");fs.writeFileSync(${JSON.stringify(`${file}.lock`)},JSON.stringify({pid:process.pid,token:"x",at:new Date().toISOString()}),{flag:"wx"});process.stdout.write("held\\n");setInterval(()=>{},1000);`;
    const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    holder = child;
    await new Promise<void>((r) => child.stdout!.once("data", () => r()));
    await expect(withFileLock(file, () => undefined, { timeoutMs: 150 })).rejects.toThrow(
      new RegExp(
        `^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is locked by arda-mail process ${child.pid} \\(holding it since \\d{4}-\\d\\d-\\d\\dT[^)]+\\) \\(${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.lock\\); wait for it to finish`,
      ),
    );
  });

  test("the lock of a process that is gone is broken; a lock path that is a directory is named, not waited on", async () => {
    const file = path.join(dir, "ctx.json");
    const dead = spawn(process.execPath, ["-e", "0"]);
    await new Promise((r) => dead.on("close", r));
    fs.writeFileSync(`${file}.lock`, JSON.stringify({ pid: dead.pid, token: "t", at: new Date().toISOString() }));
    await expect(withFileLock(file, () => "ran", { timeoutMs: 2000 })).resolves.toBe("ran");

    fs.mkdirSync(`${file}.lock`);
    const t = Date.now();
    await expect(withFileLock(file, () => undefined, { timeoutMs: 5000 })).rejects.toThrow(`cannot lock ${file}: ${file}.lock is a directory, not a lock file; remove it`);
    expect(Date.now() - t).toBeLessThan(1000);
  });
});
