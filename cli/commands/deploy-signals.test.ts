/**
 * `arda-mail deploy` as a real process (bin/arda-mail, compiled dist) on the embedded sandbox:
 * SIGTERM / SIGINT mid-plan, the temp directory, and flags checked before the first step.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadPlatform, REPO_ROOT } from "../../platform/load";
import { startSandboxEnvironment, type SandboxEnvironment } from "../../sandbox/env";
import type { CascadeResult } from "../../flows/deploy/deploy";
import { readRollout } from "../../lib/rollout/state";
import { BIN, runBin } from "../../testing/cli";

const platform = loadPlatform("sandbox");
jest.setTimeout(240_000);

let env: SandboxEnvironment;
let tmp: string;
beforeAll(async () => {
  env = await startSandboxEnvironment({ platform, noDns: true });
});
afterAll(async () => {
  await env?.close();
  fs.rmSync(env.dir, { recursive: true, force: true });
});
beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "arda-signals-tmp-"))));
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The environment's flags without --work-dir (the deploy makes, and owns, its temp directory) and any other named. */
const flagsWithoutWorkDir = (...also: string[]): string[] => {
  const f = [...env.flags];
  for (const name of ["--work-dir", ...also]) {
    const i = f.indexOf(name);
    if (i >= 0) f.splice(i, 2);
  }
  return f;
};
const childEnv = (): NodeJS.ProcessEnv => ({ ...process.env, NODE_ENV: "production", AWS_CONFIG_FILE: env.awsConfigFile, TMPDIR: tmp });
const token = (): string => env.secretValues.find((v) => v.startsWith("sandbox-canary-"))!;

interface Proc {
  readonly pid: number;
  readonly argv: string[];
  readonly environ: string;
}
/** Every process on the machine whose environment holds `needle` (other sessions' terraform runs are not ours). */
function processesWith(needle: string): Proc[] {
  const out: Proc[] = [];
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const environ = fs.readFileSync(`/proc/${d}/environ`, "latin1");
      if (!environ.includes(needle)) continue;
      out.push({ pid: Number(d), argv: fs.readFileSync(`/proc/${d}/cmdline`, "latin1").split("\0").filter(Boolean), environ });
    } catch {
      /* gone, or a kernel thread */
    }
  }
  return out;
}
const isTerraform = (p: Proc): boolean => /(^|\/)terraform(-provider-[^/]*)?$/.test(p.argv[0] ?? "");

function start(argv: string[]): { child: ChildProcess; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>; stderr: () => string } {
  const child = spawn(process.execPath, [BIN, ...argv], { cwd: REPO_ROOT, env: childEnv(), stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (c: string) => (stdout += c));
  child.stderr!.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done, stderr: () => stderr };
}

async function until<T>(what: string, f: () => T | undefined, timeoutMs: number): Promise<T> {
  const t = Date.now();
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() - t > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.each([
  ["SIGTERM", 143],
  ["SIGINT", 130],
] as const)("%s to a deploy mid-plan", (signal, exitCode) => {
  test(`is forwarded to terraform, which stops with its providers; the step is recorded as interrupted; the temp directory is removed; exit ${exitCode}`, async () => {
    const run = start(["deploy", "Alpha002", "dev", ...flagsWithoutWorkDir(), "--verify-delay-ms", "20", "--json"]);
    // Mid-plan: terraform plan and its aws provider running, both carrying the canary token in their environment.
    const running = await until(
      "terraform plan with its provider",
      () => {
        const ps = processesWith(token()).filter(isTerraform);
        return ps.some((p) => p.argv[1] === "plan") && ps.some((p) => /terraform-provider-aws/.test(p.argv[0])) ? ps : undefined;
      },
      180_000,
    );
    // Secrets reach terraform through its environment only: never argv.
    for (const p of running) expect(p.argv.join(" ")).not.toContain(token());
    expect(fs.readdirSync(tmp).filter((f) => f.startsWith("arda-mail-deploy-"))).toHaveLength(1);

    const killedAt = Date.now();
    run.child.kill(signal);
    const r = await run.done;
    const stopMs = Date.now() - killedAt;
    if (process.env.ARDA_MAIL_TEST_TIMINGS) process.stderr.write(`${signal}: deploy exited ${stopMs} ms after the signal\n`);
    // It waits for terraform, but terraform's graceful stop of a plan is quick.
    expect(stopMs).toBeLessThan(20_000);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(exitCode);
    // The CLI waited: nothing of terraform is left, and no process holds the token.
    expect(processesWith(token())).toEqual([]);
    expect(r.stderr).toContain(`${signal} received: stopping — terraform gets one SIGINT`);
    expect(r.stderr).toContain(`Error: deploy interrupted by ${signal} during Alpha002/dev (plan); terraform was stopped and released its lock`);
    const json = JSON.parse(r.stdout) as CascadeResult;
    const steps = json.partitions[0].steps;
    expect(steps.map((s) => [s.step, s.outcome])).toEqual([
      ["order", "ok"],
      ["preflight", "ok"],
      ["register", "ok"],
      ["plan", "interrupted"],
    ]);
    expect(steps[3].detail).toContain(`interrupted by ${signal}`);
    expect(readRollout(env.rolloutFile, platform).partitions.dev).toMatchObject({ verified: false, interrupted: { step: "plan", signal } });
    expect(fs.readdirSync(tmp).filter((f) => f.startsWith("arda-mail-deploy-"))).toEqual([]);
    expect(r.stdout + r.stderr).not.toContain(token());
  });
});

describe("the temp directory and flags checked before the first step", () => {
  test("a finished deploy leaves no arda-mail-deploy-* directory; --keep keeps it and says where", async () => {
    const plain = await runBin(["deploy", "Alpha002", "dev", ...flagsWithoutWorkDir(), "--plan-only"], { AWS_CONFIG_FILE: env.awsConfigFile, TMPDIR: tmp }, 180_000);
    expect(plain.code).toBe(0);
    expect(fs.readdirSync(tmp).filter((f) => f.startsWith("arda-mail-deploy-"))).toEqual([]);
    const kept = await runBin(["deploy", "Alpha002", "dev", ...flagsWithoutWorkDir(), "--plan-only", "--keep"], { AWS_CONFIG_FILE: env.awsConfigFile, TMPDIR: tmp }, 180_000);
    expect(kept.code).toBe(0);
    const dirs = fs.readdirSync(tmp).filter((f) => f.startsWith("arda-mail-deploy-"));
    expect(dirs).toHaveLength(1);
    expect(kept.stderr).toContain(`kept the work directory ${path.join(tmp, dirs[0])} (--keep)`);
  });

  test("--resolver notanip is refused before the first step, --plan-only or not (exit 2, nothing registered)", async () => {
    const before = (await env.sandbox.admin.state()).domains ?? [];
    for (const extra of [[], ["--plan-only"]]) {
      const o = await runBin(["deploy", "Alpha001", "demo", ...flagsWithoutWorkDir(), "--resolver", "notanip", ...extra, "--json"], { AWS_CONFIG_FILE: env.awsConfigFile, TMPDIR: tmp });
      expect(o.code).toBe(2);
      expect(o.stderr).toMatch(/^Error: .*notanip.*\nNext: pass --resolver \/ --parent-server as <ip>:<port>\n$/);
      expect(JSON.parse(o.stdout)).toEqual({ error: expect.objectContaining({ message: expect.stringContaining("notanip") }) });
      expect(o.stderr).not.toContain("order…");
    }
    expect((await env.sandbox.admin.state()).domains ?? []).toEqual(before);
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  test.each([
    ['"verified": "yes"', "yes", "expected boolean, received string"],
    ['"verified": 1', 1, "expected boolean, received number"],
  ])("a rollout record with %s does not open the prod gate: refused up front, naming the file and the field", async (_what, verified, why) => {
    const file = path.join(tmp, "rollout.json");
    const entry = (name: string, infra: string) => ({ stack: `${infra}-${name}-Email`, verified, at: "2026-12-01T22:00:00.000Z", mode: "planned-offline" });
    fs.writeFileSync(file, JSON.stringify({ platform: "sandbox", partitions: { dev: entry("dev", "Alpha002"), stage: entry("stage", "Alpha002"), demo: entry("demo", "Alpha001") } }));
    const o = await runBin(["deploy", "Alpha001", "prod", ...flagsWithoutWorkDir("--rollout-file"), "--rollout-file", file, "--confirm-production"], {
      AWS_CONFIG_FILE: env.awsConfigFile,
      TMPDIR: tmp,
    });
    expect(o.code).toBe(1);
    expect(o.stderr).toContain(`Error: rollout record ${file} is not a valid rollout record: partitions.dev.verified: Invalid input: ${why}`);
    expect(o.stderr).toContain(`Next: fix ${file} (or restore it from git), or point --rollout-file elsewhere`);
    expect(o.stderr).not.toContain("preflight");
  });

  test("a registry keys check refuses (an upper-case id) stops deploy in pre-flight, before terraform, with the keys check message", async () => {
    const secrets = JSON.parse(fs.readFileSync(env.secretsFile, "utf8")) as Record<string, string>;
    const ref = "op://Arda-DevOAM/EmailEncryptionKey/registry";
    expect(secrets[ref]).toBeDefined();
    const [id, key] = Object.entries(JSON.parse(secrets[ref]) as Record<string, string>)[0];
    const file = path.join(tmp, "secrets.json");
    fs.writeFileSync(file, JSON.stringify({ ...secrets, [ref]: JSON.stringify({ [id.toUpperCase()]: key }) }), { mode: 0o600 });
    const o = await runBin(["deploy", "Alpha002", "dev", ...flagsWithoutWorkDir("--secrets"), "--secrets", `file:${file}`, "--json"], { AWS_CONFIG_FILE: env.awsConfigFile, TMPDIR: tmp });
    expect(o.code).toBe(1);
    const pf = (JSON.parse(o.stdout) as CascadeResult).partitions[0].steps.find((s) => s.step === "preflight")!;
    expect(pf.outcome).toBe("failed");
    expect(pf.detail).toContain(`secret:keyRegistry: ${ref}: registry entry #1 "${id.toUpperCase()}": key is an upper-case UUID; registry ids are lower-case`);
    expect(pf.detail).toContain("arda-mail keys check Alpha002 dev");
    expect(o.stdout + o.stderr).not.toContain(key);
  });
});
