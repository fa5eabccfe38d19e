import { sandboxPlatform } from "../../testing/stacks";
import { cascadeGraph, labelOf, runGraph, stackOf, type DeployTarget } from "./graph";

describe("the deploy --all graph", () => {
  const platform = sandboxPlatform();

  it("Root first, then Corporate and dev, then stage and demo, then prod", () => {
    expect(cascadeGraph(platform).map((n) => `${stackOf(n.target)} after [${n.after.join(", ")}]`)).toEqual([
      "Root after []",
      "Corporate after [Root]",
      "Alpha002-dev-Email after [Root]",
      "Alpha002-stage-Email after [Root, Alpha002-dev-Email]",
      "Alpha001-demo-Email after [Root, Alpha002-dev-Email]",
      "Alpha001-prod-Email after [Root, Alpha002-stage-Email, Alpha001-demo-Email]",
    ]);
  });

  const fake = (fail: string[], log: string[]) => async (t: DeployTarget) => {
    log.push(`start ${labelOf(t)}`);
    await new Promise((r) => setTimeout(r, 20));
    log.push(`end ${labelOf(t)}`);
    return { name: labelOf(t), ok: !fail.includes(labelOf(t)) };
  };
  const skip = (t: DeployTarget, failed: readonly string[]) => ({ name: `${labelOf(t)} skipped (${failed.join(", ")})`, ok: false });

  it("runs independent stacks together and skips only the dependents of a failure", async () => {
    const log: string[] = [];
    const r = await runGraph(cascadeGraph(platform), fake(["Alpha002/stage"], log), skip, { parallel: true });
    expect(r.map((x) => x.name)).toEqual(["Root", "Corporate", "Alpha002/dev", "Alpha002/stage", "Alpha001/demo", "Alpha001/prod skipped (Alpha002-stage-Email)"]);
    // Corporate and dev overlap; stage and demo overlap.
    expect(log.indexOf("start Alpha002/dev")).toBeLessThan(log.indexOf("end Corporate"));
    expect(log.indexOf("start Alpha001/demo")).toBeLessThan(log.indexOf("end Alpha002/stage"));
    expect(log).not.toContain("start Alpha001/prod");
  });

  it("a failed Root skips everything; --sequential runs one at a time", async () => {
    const log: string[] = [];
    const r = await runGraph(cascadeGraph(platform), fake(["Root"], log), skip, { parallel: false });
    expect(r.slice(1).every((x) => x.name.includes("skipped (Root"))).toBe(true);
    expect(log).toEqual(["start Root", "end Root"]);
    const seq: string[] = [];
    await runGraph(cascadeGraph(platform), fake([], seq), skip, { parallel: false });
    for (let i = 0; i < seq.length; i += 2) expect(seq[i + 1]).toBe(seq[i].replace("start", "end"));
  });
});
