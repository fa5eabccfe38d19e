import * as fs from "node:fs";
import { readContext, partitionMailEntry, corporateMailEntry } from "../../platform/mail-context";
import { loadPlatform } from "../../platform/load";
import { CANARY_TOKEN, filesText, runInProcess, startHarness, type Harness } from "../../testing/cli";
import Register from "./register";
import RegisterCorporate from "./register/corporate";
import type { RegisterResult } from "../../flows/register";
import { synthPlatform } from "../../flows/synth";
import { planOffline } from "../../flows/plan-offline";
import * as path from "node:path";

/** Few retries and a short timeout, through the documented flags. */
const POSTMARK_FLAGS = ["--postmark-retries", "3", "--postmark-timeout", "1.5"];

const platform = loadPlatform("sandbox");

describe("arda-mail register (in-process, real sandbox on loopback)", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  const assertNoCanary = (o: { stdout: string; stderr: string }): void => {
    expect(o.stdout).not.toContain(CANARY_TOKEN);
    expect(o.stderr).not.toContain(CANARY_TOKEN);
    expect(filesText(h.dir, [h.secretsFile])).not.toContain(CANARY_TOKEN);
  };

  test("registers all four partitions and corporate; the entries pass requireMailEntry; other keys kept; second run changes nothing", async () => {
    for (const [infra, part] of [
      ["Alpha002", "dev"],
      ["Alpha002", "stage"],
      ["Alpha001", "demo"],
      ["Alpha001", "prod"],
    ]) {
      const o = await runInProcess<RegisterResult>(Register, [infra, part, ...h.flags, ...POSTMARK_FLAGS, "--json"]);
      expect(o.stderr).toContain(`created ${part}.ardamails.com`);
      expect(o.code).toBe(0);
      const json = JSON.parse(o.stdout) as RegisterResult;
      expect(json).toMatchObject({ postmark: "created", context: "written", domain: `${part}.ardamails.com`, dkimKey: "pending" });
      assertNoCanary(o);
    }
    const c = await runInProcess<RegisterResult>(RegisterCorporate, [...h.flags, ...POSTMARK_FLAGS]);
    expect(c.code).toBe(0);
    expect(c.stderr).toContain("wrote corporateMail:Root:arda");
    const ctx = readContext(h.contextFile);
    expect(ctx["other:key"]).toBe("kept");
    for (const p of platform.partitions.filter((x) => x.status === "active")) {
      const e = partitionMailEntry(platform, p, ctx, h.contextFile);
      expect(e.returnPathDomain).toBe(`pm-bounces.${p.name}.ardamails.com`);
      expect(e.returnPathTarget).toBe("pm.mtasv.net");
    }
    corporateMailEntry(platform, ctx, h.contextFile);
    const text = fs.readFileSync(h.contextFile, "utf8");
    expect(text).toBe(JSON.stringify(JSON.parse(text), null, 2) + "\n");
    expect(JSON.parse(text).app).toBe("node dist/main.js");

    // What synth reads: the app synthesizes every stack from the written context, and the offline
    // plans (real Terraform + AWS provider) accept a partition stack and Corporate.
    const outdir = path.join(h.dir, "cdktf.out");
    const synth = synthPlatform({ platform, outdir, contextFile: h.contextFile, hcl: false });
    expect(synth.stacks).toEqual(expect.arrayContaining(["Root", "Corporate", "Alpha002-dev-Email", "Alpha002-stage-Email", "Alpha001-demo-Email", "Alpha001-prod-Email"]));
    const devTf = fs.readFileSync(path.join(synth.stackDirs["Alpha002-dev-Email"], "cdk.tf.json"), "utf8");
    expect(devTf).toContain((ctx["partitionMail:Alpha002:dev"] as { dkimHost: string }).dkimHost);
    const plans = await planOffline({ platform, outdir, contextFile: h.contextFile, hcl: false, stacks: ["Alpha002-dev-Email", "Corporate"] });
    expect(plans.map((p) => p.stack).sort()).toEqual(["Alpha002-dev-Email", "Corporate"]);
    for (const p of plans) expect(p.add).toBeGreaterThan(0);
    fs.rmSync(outdir, { recursive: true, force: true });

    const before = fs.statSync(h.contextFile).mtimeMs;
    const again = await runInProcess<RegisterResult>(Register, ["Alpha002", "dev", ...h.flags, ...POSTMARK_FLAGS]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("already exists");
    expect(again.stderr).toContain("is up to date — nothing changed");
    expect(fs.statSync(h.contextFile).mtimeMs).toBe(before);
    expect((await h.sandbox.admin.state()).domains.filter((d: { Name?: string; name?: string }) => (d.Name ?? d.name) === "dev.ardamails.com")).toHaveLength(1);
  });

  test("--dry-run creates nothing and writes nothing", async () => {
    const before = fs.readFileSync(h.contextFile, "utf8");
    const o = await runInProcess(Register, ["Alpha002", "dev", ...h.flags, ...POSTMARK_FLAGS, "--dry-run", "--json"]);
    expect(o.code).toBe(0);
    expect(JSON.parse(o.stdout)).toMatchObject({ postmark: "would-create", dryRun: true });
    expect(o.stderr).toContain("would create dev.ardamails.com with Return-Path pm-bounces.dev.ardamails.com");
    expect(fs.readFileSync(h.contextFile, "utf8")).toBe(before);
    expect((await h.sandbox.admin.state()).domains).toHaveLength(0);
  });
});
