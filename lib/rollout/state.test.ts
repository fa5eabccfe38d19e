import { fork } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadPlatform, REPO_ROOT } from "../../platform/load";
import { findPartition } from "../../platform/names";
import { cascadeWaves, orderViolation, readRollout, recordRollout, updateRollout } from "./state";

const platform = loadPlatform("sandbox");
const T = "2026-12-01T22:00:00.000Z";
const p = (infra: string, name: string) => findPartition(platform, infra, name);

describe("rollout order (DQ-R1-021)", () => {
  let file: string;
  beforeEach(() => {
    file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "rollout-")), "rollout", "sandbox.json");
  });

  it("walks dev → {stage, demo} → prod; kyle (suspended) is not in it", () => {
    expect(cascadeWaves(platform).map((w) => w.map((x) => x.name))).toEqual([["dev"], ["stage", "demo"], ["prod"]]);
  });

  it("refuses stage and demo before dev is verified, prod before stage AND demo", async () => {
    const s0 = readRollout(file, platform);
    expect(orderViolation(platform, p("Alpha002", "dev"), s0)).toBeUndefined();
    expect(orderViolation(platform, p("Alpha002", "stage"), s0)).toBe("stage deploys only after dev is verified (DQ-R1-021: dev → stage ∥ demo → prod) — dev: not deployed yet");
    await recordRollout(file, platform, p("Alpha002", "dev"), { verified: false, at: T, mode: "planned-offline", failedChecks: ["dkim"] });
    expect(orderViolation(platform, p("Alpha001", "demo"), readRollout(file, platform))).toMatch(/dev: deployed but not verified$/);
    await recordRollout(file, platform, p("Alpha002", "dev"), { verified: true, at: T, mode: "planned-offline" });
    await recordRollout(file, platform, p("Alpha002", "stage"), { verified: true, at: T, mode: "planned-offline" });
    const s1 = readRollout(file, platform);
    expect(orderViolation(platform, p("Alpha001", "demo"), s1)).toBeUndefined();
    expect(orderViolation(platform, p("Alpha001", "prod"), s1)).toBe("prod deploys only after stage and demo are verified (DQ-R1-021: dev → stage ∥ demo → prod) — demo: not deployed yet");
    await recordRollout(file, platform, p("Alpha001", "demo"), { verified: true, at: T, mode: "planned-offline" });
    expect(orderViolation(platform, p("Alpha001", "prod"), readRollout(file, platform))).toBeUndefined();
  });

  it("keeps both records when stage and demo finish together (locked read-modify-write)", async () => {
    await Promise.all([
      recordRollout(file, platform, p("Alpha002", "stage"), { verified: true, at: T, mode: "planned-offline" }),
      recordRollout(file, platform, p("Alpha001", "demo"), { verified: true, at: T, mode: "planned-offline" }),
    ]);
    const s = readRollout(file, platform);
    expect(Object.keys(s.partitions).sort()).toEqual(["demo", "stage"]);
    expect(s.partitions.stage.stack).toBe("Alpha002-stage-Email");
  });

  it("refuses a file recording another platform", () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ platform: "arda", partitions: {} }));
    expect(() => readRollout(file, platform)).toThrow(`records the rollout of platform "arda", not "sandbox"`);
  });

  describe("the record is schema-checked: only a real boolean opens the gate", () => {
    const write = (doc: unknown): void => {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, typeof doc === "string" ? doc : JSON.stringify(doc));
    };
    const ok = { stack: "Alpha002-stage-Email", verified: true, at: T, mode: "planned-offline" };
    test.each([
      ['"verified": "yes"', { ...ok, verified: "yes" }, "partitions.stage.verified: Invalid input: expected boolean, received string"],
      ['"verified": 1', { ...ok, verified: 1 }, "partitions.stage.verified: Invalid input: expected boolean, received number"],
      ["a misspelt field", { ...ok, verifed: true }, 'partitions.stage: Unrecognized key: "verifed"'],
      ["a time that is not ISO", { ...ok, at: "yesterday" }, "partitions.stage.at: Invalid ISO datetime"],
      ["an unknown mode", { ...ok, mode: "yolo" }, "partitions.stage.mode: Invalid option"],
      ["a negative plan count", { ...ok, plan: { add: -1, change: 0, destroy: 0 } }, "partitions.stage.plan.add: Too small"],
      ["another partition's stack", { ...ok, stack: "Alpha001-prod-Email" }, 'partitions.stage.stack is "Alpha001-prod-Email", but stage deploys Alpha002-stage-Email'],
    ])("%s is refused, naming the file and the field", (_what, stage, message) => {
      const demo = { stack: "Alpha001-demo-Email", verified: true, at: T, mode: "planned-offline" };
      write({ platform: "sandbox", partitions: { dev: { ...ok, stack: "Alpha002-dev-Email" }, stage, demo } });
      expect(() => readRollout(file, platform)).toThrow(`rollout record ${file} is not a valid rollout record: ${message}`);
    });

    test("broken JSON, a directory, and a file where the directory should be are named as such", async () => {
      write("{ broken");
      expect(() => readRollout(file, platform)).toThrow(new RegExp(`^rollout record ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is not valid JSON \\(.+\\); fix it or restore it from git$`));
      fs.rmSync(file);
      fs.mkdirSync(file);
      expect(() => readRollout(file, platform)).toThrow(`rollout record ${file} is a directory, not a file`);
      const blocked = path.join(path.dirname(file), "plain-file");
      fs.writeFileSync(blocked, "");
      const inside = path.join(blocked, "sandbox.json");
      await expect(recordRollout(inside, platform, p("Alpha002", "dev"), { verified: true, at: T, mode: "planned-offline" })).rejects.toThrow(
        `rollout record ${inside} cannot be created: its directory ${blocked} has a file where a directory is needed`,
      );
    });

    test("an interrupted attempt is recorded; a record the schema refuses is never written", async () => {
      await recordRollout(file, platform, p("Alpha002", "dev"), { verified: true, at: T, mode: "planned-offline" });
      await updateRollout(file, platform, p("Alpha002", "dev"), (cur) => ({ ...cur!, interrupted: { step: "plan", signal: "SIGTERM", at: T } }));
      expect(readRollout(file, platform).partitions.dev).toEqual({
        stack: "Alpha002-dev-Email",
        verified: true,
        at: T,
        mode: "planned-offline",
        interrupted: { step: "plan", signal: "SIGTERM", at: T },
      });
      const before = fs.readFileSync(file, "utf8");
      await expect(recordRollout(file, platform, p("Alpha002", "stage"), { verified: "yes" as unknown as boolean, at: T, mode: "planned-offline" })).rejects.toThrow(/expected boolean/);
      expect(fs.readFileSync(file, "utf8")).toBe(before);
    });
  });

  it("four processes recording four partitions at one instant: every record survives (read-modify-write under the lock)", async () => {
    const script = path.join(path.dirname(path.dirname(file)), "recorder.js");
    // The compiled dist (as the CLI runs it): each process records its partition five times.
    fs.writeFileSync(
      script,
      `const {recordRollout}=require(${JSON.stringify(path.join(REPO_ROOT, "dist", "lib", "rollout", "state.js"))});
       const {loadPlatform}=require(${JSON.stringify(path.join(REPO_ROOT, "dist", "platform", "load.js"))});
       const {findPartition}=require(${JSON.stringify(path.join(REPO_ROOT, "dist", "platform", "names.js"))});
       const [file, infra, name, go] = process.argv.slice(2); const platform = loadPlatform("sandbox");
       (async()=>{while(Date.now()<Number(go))await new Promise(r=>setImmediate(r));
         for (let i = 0; i < 5; i++) await recordRollout(file, platform, findPartition(platform, infra, name), { verified: true, at: new Date().toISOString(), mode: "planned-offline", plan: { add: i, change: 0, destroy: 0 } });
       })().catch(e=>{console.error(e);process.exit(1)});`,
    );
    const startAt = Date.now() + 1500;
    const codes = await Promise.all(
      [
        ["Alpha002", "dev"],
        ["Alpha002", "stage"],
        ["Alpha001", "demo"],
        ["Alpha001", "prod"],
      ].map(
        ([infra, name]) =>
          new Promise<number | null>((resolve) => fork(script, [file, infra, name, String(startAt)], { execArgv: [], stdio: ["ignore", "inherit", "inherit", "ipc"] }).on("exit", resolve)),
      ),
    );
    expect(codes).toEqual([0, 0, 0, 0]);
    const s = readRollout(file, platform);
    expect(Object.keys(s.partitions).sort()).toEqual(["demo", "dev", "prod", "stage"]);
    for (const r of Object.values(s.partitions)) expect(r.plan).toEqual({ add: 4, change: 0, destroy: 0 });
  });
});
