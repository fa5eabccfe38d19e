/**
 * The README's main job, `arda-mail demo`, applied for real: Root → Corporate ∥ dev → stage ∥ demo →
 * prod on the local AWS (moto) with Knot serving what Route53 holds and the Postmark sandbox — every
 * stack applied, converged (second plan empty) and verified; each stack planned while the stacks
 * before it applied, applied only once they were verified. About 3–4 minutes.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { RealCascadeResult } from "../../flows/deploy/real";
import type { StepResult } from "../../flows/deploy/types";
import { regularFilesText } from "../../sandbox/canary";
import { runInProcess } from "../../testing/cli";
import Demo from "./demo";

jest.setTimeout(600_000);

const end = (s: StepResult): number => s.startedAt + s.durationMs;

it("`arda-mail demo` applies every stack to the local AWS, each converged and verified; a stack plans while the ones before it apply", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "arda-demo-applied-"));
  const o = await runInProcess<RealCascadeResult>(Demo, ["--keep", dir, "--json"]);
  expect({ code: o.code, stderr: o.code === 0 ? "" : o.stderr.slice(-4000) }).toEqual({ code: 0, stderr: "" });
  const stacks = o.result!.partitions;
  expect(stacks.map((p) => [p.stack, p.ok, p.appliedResources, p.secondPlanClean])).toEqual([
    ["Root", true, 4, true],
    ["Corporate", true, 7, true],
    ["Alpha002-dev-Email", true, 15, true],
    ["Alpha002-stage-Email", true, 15, true],
    ["Alpha001-demo-Email", true, 15, true],
    ["Alpha001-prod-Email", true, 15, true],
  ]);
  const step = (stack: string, name: string): StepResult => {
    const s = stacks.find((p) => p.stack === stack)!.steps.find((x) => x.step === name);
    if (!s)
      throw new Error(
        `${stack} has no ${name} step: ${stacks
          .find((p) => p.stack === stack)!
          .steps.map((x) => x.step)
          .join(", ")}`,
      );
    return s;
  };
  const dev = "Alpha002-dev-Email";
  for (const later of ["Alpha002-stage-Email", "Alpha001-demo-Email"]) {
    // Planned while dev applied; applied once dev was verified; the order check right before the apply.
    expect(step(later, "plan").startedAt).toBeLessThan(end(step(dev, "apply")));
    expect(step(later, "apply").startedAt).toBeGreaterThanOrEqual(end(step(dev, "verify")));
    expect(step(later, "wait").detail).toBe("Root, Alpha002-dev-Email applied and verified");
    expect(step(later, "order").startedAt).toBeGreaterThanOrEqual(end(step(later, "wait")));
  }
  // prod applies after both of its predecessors are verified.
  for (const before of ["Alpha002-stage-Email", "Alpha001-demo-Email"]) expect(step("Alpha001-prod-Email", "apply").startedAt).toBeGreaterThanOrEqual(end(step(before, "verify")));
  // Root's dependents went on while Root ran its second plan.
  expect(step(dev, "preflight").startedAt).toBeLessThan(end(step("Root", "second-plan")));

  expect(o.stderr).toContain("=== arda-mail demo: Root → Corporate ∥ dev → stage ∥ demo → prod (applied to the local AWS) — ALL VERIFIED");
  for (const [stack, applied] of [
    ["Root", 4],
    ["Corporate", 7],
    [dev, 15],
    ["Alpha001-prod-Email", 15],
  ] as const) {
    expect(o.stderr).toMatch(new RegExp(`^  ${stack} +${applied} +clean +PASS +\\d+\\.\\d s +\\d+\\.\\d s$`, "m"));
  }
  // Canary secrets (generated into the scratch secret store) appear nowhere else: output, state, plans, logs.
  const secrets = Object.values(JSON.parse(fs.readFileSync(path.join(dir, "secrets.json"), "utf8")) as Record<string, string>);
  const everything = o.stdout + o.stderr + regularFilesText(dir, [path.join(dir, "secrets.json")]);
  for (const s of secrets) expect(everything).not.toContain(s);
  fs.rmSync(dir, { recursive: true, force: true });
});
