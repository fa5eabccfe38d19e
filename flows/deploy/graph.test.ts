import { sandboxPlatform } from "../../testing/stacks";
import { cascadeGraph, labelOf, runGraph, stackOf, type DeployTarget, type NodeTurn } from "./graph";

describe("the deploy --all graph", () => {
  const platform = sandboxPlatform();

  it("Root first, then Corporate and dev, then stage and demo, then prod", () => {
    expect(cascadeGraph(platform).map((n) => `${stackOf(n.target)} starts after [${n.startAfter.join(", ")}], applies after [${n.after.join(", ")}]`)).toEqual([
      "Root starts after [], applies after []",
      "Corporate starts after [Root], applies after [Root]",
      "Alpha002-dev-Email starts after [Root], applies after [Root]",
      "Alpha002-stage-Email starts after [Root], applies after [Root, Alpha002-dev-Email]",
      "Alpha001-demo-Email starts after [Root], applies after [Root, Alpha002-dev-Email]",
      "Alpha001-prod-Email starts after [Root], applies after [Root, Alpha002-stage-Email, Alpha001-demo-Email]",
    ]);
  });

  const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 20));
  /** A stack that prepares, waits for its turn, applies, says it is ready, then runs its second plan. */
  const fake = (fail: string[], log: string[]) => async (t: DeployTarget, turn: NodeTurn) => {
    const me = labelOf(t);
    log.push(`start ${me}`);
    await tick();
    const failed = await turn.wait();
    if (failed.length) {
      log.push(`not applied ${me}`);
      return { name: `${me} not applied (${failed.join(", ")})`, ok: false };
    }
    log.push(`apply ${me}`);
    turn.applying();
    await tick();
    if (!fail.includes(me)) {
      turn.ready();
      await turn.dependentsApplying();
    }
    log.push(`second plan ${me}`);
    await tick();
    log.push(`end ${me}`);
    return { name: me, ok: !fail.includes(me) };
  };
  const skip = (t: DeployTarget, failed: readonly string[]) => ({ name: `${labelOf(t)} skipped (${failed.join(", ")})`, ok: false });

  it("runs independent stacks together and skips only the dependents of a failure", async () => {
    const log: string[] = [];
    const r = await runGraph(cascadeGraph(platform), fake(["Alpha002/stage"], log), skip, { parallel: true });
    expect(r.map((x) => x.name)).toEqual(["Root", "Corporate", "Alpha002/dev", "Alpha002/stage", "Alpha001/demo", "Alpha001/prod not applied (Alpha002-stage-Email)"]);
    // Corporate and dev overlap; stage and demo overlap.
    expect(log.indexOf("start Alpha002/dev")).toBeLessThan(log.indexOf("end Corporate"));
    expect(log.indexOf("start Alpha001/demo")).toBeLessThan(log.indexOf("end Alpha002/stage"));
    // A stack prepares once its predecessors apply, and applies once they are ready.
    expect(log.indexOf("start Alpha002/stage")).toBeGreaterThan(log.indexOf("apply Alpha002/dev"));
    expect(log.indexOf("start Alpha002/stage")).toBeLessThan(log.indexOf("end Alpha002/dev"));
    expect(log.indexOf("start Alpha001/prod")).toBeLessThan(log.indexOf("end Alpha002/stage"));
    expect(log).toContain("not applied Alpha001/prod");
    expect(log).not.toContain("apply Alpha001/prod");
  });

  it("a ready stack lets its dependents apply while it runs its second plan; a failed one stops them", async () => {
    const log: string[] = [];
    await runGraph(cascadeGraph(platform), fake([], log), skip, { parallel: true });
    expect(log.indexOf("start Alpha002/dev")).toBeGreaterThan(log.indexOf("apply Root"));
    expect(log.indexOf("start Alpha002/dev")).toBeLessThan(log.indexOf("end Root"));
    expect(log.indexOf("apply Alpha002/stage")).toBeLessThan(log.indexOf("end Alpha002/dev"));
    // A second plan waits until the stacks after it are applying (their plans are CPU, their applies mostly waits).
    for (const after of ["Corporate", "Alpha002/dev"]) expect(log.indexOf("second plan Root")).toBeGreaterThan(log.indexOf(`apply ${after}`));
    for (const after of ["Alpha002/stage", "Alpha001/demo"]) expect(log.indexOf("second plan Alpha002/dev")).toBeGreaterThan(log.indexOf(`apply ${after}`));
    const failing: string[] = [];
    const r = await runGraph(cascadeGraph(platform), fake(["Alpha002/dev"], failing), skip, { parallel: true });
    expect(r.map((x) => x.name).slice(2)).toEqual([
      "Alpha002/dev",
      "Alpha002/stage not applied (Alpha002-dev-Email)",
      "Alpha001/demo not applied (Alpha002-dev-Email)",
      "Alpha001/prod skipped (Alpha002-stage-Email, Alpha001-demo-Email)",
    ]);
    expect(r[2].ok).toBe(false);
  });

  it("a failed Root skips everything; --sequential runs one at a time", async () => {
    const log: string[] = [];
    const r = await runGraph(cascadeGraph(platform), fake(["Root"], log), skip, { parallel: false });
    expect(r.slice(1).every((x) => x.name.includes("skipped (Root"))).toBe(true);
    expect(log).toEqual(["start Root", "apply Root", "second plan Root", "end Root"]);
    const seq: string[] = [];
    await runGraph(cascadeGraph(platform), fake([], seq), skip, { parallel: false });
    for (let i = 0; i < seq.length; i += 4) expect(seq.slice(i, i + 4).map((l) => l.split(" ").pop())).toEqual(Array(4).fill(seq[i].split(" ").pop()));
  });
});
