import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadPlatform } from "../../platform/load";
import { findPartition } from "../../platform/names";
import { cascadeWaves, orderViolation, readRollout, recordRollout } from "./state";

const platform = loadPlatform("sandbox");
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
    await recordRollout(file, platform, p("Alpha002", "dev"), { verified: false, at: "t", mode: "planned-offline", failedChecks: ["dkim"] });
    expect(orderViolation(platform, p("Alpha001", "demo"), readRollout(file, platform))).toMatch(/dev: deployed but not verified$/);
    await recordRollout(file, platform, p("Alpha002", "dev"), { verified: true, at: "t", mode: "planned-offline" });
    await recordRollout(file, platform, p("Alpha002", "stage"), { verified: true, at: "t", mode: "planned-offline" });
    const s1 = readRollout(file, platform);
    expect(orderViolation(platform, p("Alpha001", "demo"), s1)).toBeUndefined();
    expect(orderViolation(platform, p("Alpha001", "prod"), s1)).toBe("prod deploys only after stage and demo are verified (DQ-R1-021: dev → stage ∥ demo → prod) — demo: not deployed yet");
    await recordRollout(file, platform, p("Alpha001", "demo"), { verified: true, at: "t", mode: "planned-offline" });
    expect(orderViolation(platform, p("Alpha001", "prod"), readRollout(file, platform))).toBeUndefined();
  });

  it("keeps both records when stage and demo finish together (locked read-modify-write)", async () => {
    await Promise.all([
      recordRollout(file, platform, p("Alpha002", "stage"), { verified: true, at: "t", mode: "planned-offline" }),
      recordRollout(file, platform, p("Alpha001", "demo"), { verified: true, at: "t", mode: "planned-offline" }),
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
});
