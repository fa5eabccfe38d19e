/**
 * `arda-mail deploy` against the embedded sandbox: the Postmark sandbox and the real DNS server on
 * loopback, real terraform planning offline, the real rollout record. One environment for the file:
 * the cascade's state carries from test to test (terraform plans cost seconds each).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadPlatform, platformFile } from "../../platform/load";
import { findPartition, partitionKeyRegistryRef } from "../../platform/names";
import { startSandboxEnvironment, type SandboxEnvironment } from "../../sandbox/env";
import type { CascadeResult } from "../../flows/deploy/deploy";
import { readRollout } from "../../lib/rollout/state";
import { runBin, runInProcess, type Outcome } from "../../testing/cli";
import { regularFilesText } from "../../sandbox/canary";
import Deploy from "./deploy";

const platform = loadPlatform("sandbox");
jest.setTimeout(240_000);

let env: SandboxEnvironment;
const outputs: string[] = [];
const savedEnv = { ...process.env };

async function deploy(args: string[], extraEnv: NodeJS.ProcessEnv = {}, e: SandboxEnvironment = env): Promise<Outcome<CascadeResult> & { json: CascadeResult }> {
  Object.assign(process.env, { AWS_CONFIG_FILE: e.awsConfigFile }, extraEnv);
  try {
    const o = await runInProcess<CascadeResult>(Deploy, [...args, ...e.flags, "--verify-delay-ms", "20", "--json"]);
    outputs.push(o.stdout, o.stderr);
    if (process.env.DEBUG_DEPLOY_TEST) process.stderr.write(`${o.code} ${o.error?.stack}\n${o.stderr}\n${o.stdout}\n`);
    const json = (o.result ?? JSON.parse(o.stdout)) as CascadeResult;
    return { ...o, json };
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
    Object.assign(process.env, savedEnv);
  }
}

const stepOf = (r: CascadeResult, partition: string, step: string) => r.partitions.find((p) => p.partition === partition)!.steps.find((s) => s.step === step)!;

beforeAll(async () => {
  env = await startSandboxEnvironment({ platform });
});
afterAll(async () => {
  // Canary secrets (the account token, every key registry) appear in no output stream or file.
  const everything = outputs.join("\n") + regularFilesText(env.dir, [env.secretsFile]);
  for (const s of env.secretValues) expect(everything).not.toContain(s);
  await env?.close();
});

describe("deploy: order rules and pre-flight (nothing changes)", () => {
  it("refuses stage before dev is verified", async () => {
    const o = await deploy(["Alpha002", "stage"]);
    expect(o.code).toBe(1);
    expect(stepOf(o.json, "Alpha002/stage", "order")).toMatchObject({ outcome: "refused" });
    expect(stepOf(o.json, "Alpha002/stage", "order").detail).toContain("stage deploys only after dev is verified (DQ-R1-021: dev → stage ∥ demo → prod) — dev: not deployed yet");
    expect(o.json.partitions[0].steps.map((s) => s.step)).toEqual(["order"]);
  });

  it("fails pre-flight when the model's AWS profile is missing from the AWS config", async () => {
    const e2 = await startSandboxEnvironment({ platform, omitProfiles: ["Sandbox-Alpha002"], noDns: true });
    try {
      const o = await deploy(["Alpha002", "dev"], {}, e2);
      expect(o.code).toBe(1);
      const pf = stepOf(o.json, "Alpha002/dev", "preflight");
      expect(pf.outcome).toBe("failed");
      expect(pf.detail).toContain(`aws-profile: AWS profile "Sandbox-Alpha002" (infrastructures.Alpha002.awsProfile) is not in ${e2.awsConfigFile} (profiles there: Sandbox-Root, Sandbox-Alpha1)`);
      expect(pf.detail).toContain("add [profile Sandbox-Alpha002]");
      // Failed before any change: nothing registered in Postmark, no context written.
      expect((await e2.sandbox.admin.state()).domains ?? []).toHaveLength(0);
      expect(JSON.parse(fs.readFileSync(e2.contextFile, "utf8")).context).toEqual({});
    } finally {
      await e2.close();
    }
  });

  it("fails pre-flight when a secret does not resolve", async () => {
    const dev = findPartition(platform, "Alpha002", "dev");
    const e2 = await startSandboxEnvironment({ platform, omitSecrets: [partitionKeyRegistryRef(dev)], noDns: true });
    try {
      const o = await deploy(["Alpha002", "dev"], {}, e2);
      expect(o.code).toBe(1);
      const pf = stepOf(o.json, "Alpha002/dev", "preflight");
      expect(pf.detail).toContain("secret:keyRegistry: op://Arda-DevOAM/EmailEncryptionKey/registry does not resolve");
      expect(o.json.partitions[0].steps.map((s) => s.step)).toEqual(["order", "preflight"]);
      for (const s of e2.secretValues) expect(o.stdout + o.stderr).not.toContain(s);
    } finally {
      await e2.close();
    }
  });
});

describe("deploy as a real process (bin/arda-mail, compiled dist)", () => {
  it("exits 1 with the step list on stdout when the order refuses; progress only on stderr", async () => {
    const o = await runBin(["deploy", "Alpha001", "prod", ...env.flags, "--json"], { AWS_CONFIG_FILE: env.awsConfigFile });
    outputs.push(o.stdout, o.stderr);
    expect(o.code).toBe(1);
    const json = JSON.parse(o.stdout) as CascadeResult;
    expect(json.ok).toBe(false);
    expect(json.partitions[0].steps).toEqual([expect.objectContaining({ step: "order", outcome: "refused" })]);
    expect(o.stderr).toContain("Error: deploy failed: Alpha001/prod (order)");
  });
});

describe("deploy: the cascade on the sandbox", () => {
  it("deploys dev: registers, plans offline, skips apply, publishes DNS, verifies, records", async () => {
    const o = await deploy(["Alpha002", "dev"]);
    expect(o.code).toBe(0);
    const dev = o.json.partitions[0];
    expect(dev.steps.map((s) => [s.step, s.outcome])).toEqual([
      ["order", "ok"],
      ["preflight", "ok"],
      ["register", "ok"],
      ["plan", "ok"],
      ["destructive-check", "ok"],
      ["apply", "skipped"],
      ["dns-publish", "ok"],
      ["verify", "ok"],
    ]);
    expect(dev.registered).toMatchObject({ domain: "dev.ardamails.com", postmark: "created", context: "written" });
    expect(dev.plan!.add).toBeGreaterThan(5);
    expect(dev.plan!.destroy).toBe(0);
    expect(stepOf(o.json, "Alpha002/dev", "apply").detail).toContain("offline: terraform apply cannot reach AWS here");
    expect(dev.verify!.checks.map((c) => c.check)).toEqual(["ns-delegation", "spf", "dmarc", "dkim", "return-path", "postmark-dkim", "postmark-return-path", "outputs"]);
    expect(dev.verify!.checks.find((c) => c.check === "outputs")!.subject).toContain("offline");
    expect(readRollout(env.rolloutFile, platform).partitions.dev).toMatchObject({ verified: true, mode: "planned-offline", stack: "Alpha002-dev-Email" });
    expect(o.stderr).toContain("Alpha002/dev: plan ok");
  });

  it("fails with the child's exit when terraform fails in the middle (PATH-injected failing terraform)", async () => {
    const bin = path.join(env.dir, "failing-bin");
    fs.mkdirSync(bin, { recursive: true });
    const real = require("node:child_process").execSync("command -v terraform", { encoding: "utf8" }).trim();
    fs.writeFileSync(path.join(bin, "terraform"), `#!/bin/sh\nif [ "$1" = "plan" ]; then echo "Error: injected plan failure" >&2; exit 3; fi\nexec ${real} "$@"\n`, { mode: 0o755 });
    const o = await deploy(["Alpha002", "stage"], { PATH: `${bin}:${process.env.PATH}` });
    expect(o.code).toBe(1);
    const plan = stepOf(o.json, "Alpha002/stage", "plan");
    expect(plan.outcome).toBe("failed");
    expect(plan.detail).toContain("(exit 3)");
    expect(plan.detail).toContain("Error: injected plan failure");
    expect(o.json.partitions[0].steps.map((s) => s.step)).toEqual(["order", "preflight", "register", "plan"]);
    expect(readRollout(env.rolloutFile, platform).partitions.stage).toBeUndefined();
  });

  it("--plan-only stops after the plan summary", async () => {
    const o = await deploy(["Alpha002", "stage", "--plan-only"]);
    expect(o.code).toBe(0);
    const st = o.json.partitions[0];
    expect(st.steps.map((s) => [s.step, s.outcome]).slice(-2)).toEqual([
      ["destructive-check", "ok"],
      ["apply", "skipped"],
    ]);
    expect(st.plan).toMatchObject({ destroy: 0, destructive: [] });
    expect(readRollout(env.rolloutFile, platform).partitions.stage).toBeUndefined();
  });

  it("plans the model it was given: an ARDA_MAIL_PLATFORM_FILE with another account id is what pre-flight checks and synth writes", async () => {
    const raw = JSON.parse(fs.readFileSync(platformFile("sandbox"), "utf8"));
    raw.infrastructures.find((i: { name: string }) => i.name === "Alpha002").accountId = "100000000099";
    const file = path.join(env.dir, "other-account.platform.json");
    fs.writeFileSync(file, JSON.stringify(raw, null, 2));
    const e2 = await startSandboxEnvironment({ platform: loadPlatform("sandbox", { file }) });
    try {
      const o = await deploy(["Alpha002", "dev"], { ARDA_MAIL_PLATFORM_FILE: file }, e2);
      expect(o.code).toBe(0);
      const synthesized = fs.readFileSync(path.join(e2.workDir, "Alpha002-dev-Email", "out", "stacks", "Alpha002-dev-Email", "cdk.tf.json"), "utf8");
      expect(synthesized).toContain('"100000000099"');
      expect(synthesized).not.toContain("100000000003");
    } finally {
      await e2.close();
    }
  });

  it("--all runs stage ∥ demo in parallel, then refuses prod without confirmation", async () => {
    const o = await deploy(["--all"]);
    expect(o.code).toBe(1);
    expect(o.json.partitions.map((p) => [p.partition, p.ok])).toEqual([
      ["Alpha002/dev", true],
      ["Alpha002/stage", true],
      ["Alpha001/demo", true],
      ["Alpha001/prod", false],
    ]);
    const a = stepOf(o.json, "Alpha002/stage", "plan");
    const b = stepOf(o.json, "Alpha001/demo", "plan");
    // Overlapping plan intervals: the two partitions really ran together.
    expect(a.startedAt < b.startedAt + b.durationMs && b.startedAt < a.startedAt + a.durationMs).toBe(true);
    const confirm = stepOf(o.json, "Alpha001/prod", "confirm-production");
    expect(confirm.outcome).toBe("refused");
    expect(confirm.detail).toMatch(/^production deploy of Alpha001-prod-Email not confirmed \(plan: \d+ to add, 0 to change, 0 to destroy\)/);
    expect(readRollout(env.rolloutFile, platform).partitions.prod).toBeUndefined();
  });

  it("deploys prod with --confirm-production once stage and demo are verified", async () => {
    const o = await deploy(["Alpha001", "prod", "--confirm-production"]);
    expect(o.code).toBe(0);
    expect(stepOf(o.json, "Alpha001/prod", "confirm-production").outcome).toBe("ok");
    const r = readRollout(env.rolloutFile, platform);
    expect(
      Object.entries(r.partitions)
        .map(([k, v]) => [k, v.verified])
        .sort(),
    ).toEqual([
      ["demo", true],
      ["dev", true],
      ["prod", true],
      ["stage", true],
    ]);
  });

  it("fails pre-flight when the committed context entry is malformed (a misspelt field), naming the field", async () => {
    const before = fs.readFileSync(env.contextFile, "utf8");
    const doc = JSON.parse(before);
    doc.context["partitionMail:Alpha002:dev"].dkimSelectr = "20260526234343pm";
    fs.writeFileSync(env.contextFile, JSON.stringify(doc, null, 2));
    try {
      const o = await deploy(["Alpha002", "dev"]);
      expect(o.code).toBe(1);
      const pf = stepOf(o.json, "Alpha002/dev", "preflight");
      expect(pf.detail).toContain('context: Invalid CDKTF context entry "partitionMail:Alpha002:dev"');
      expect(pf.detail).toContain("partitionMail:Alpha002:dev.dkimSelectr");
      expect(pf.detail).toContain("fix the entry, or run `arda-mail register Alpha002 dev --update` and commit the context file");
    } finally {
      fs.writeFileSync(env.contextFile, before);
    }
  });

  it("fails pre-flight when the committed context is stale vs Postmark", async () => {
    const before = fs.readFileSync(env.contextFile, "utf8");
    const doc = JSON.parse(before);
    doc.context["partitionMail:Alpha002:dev"].dkimPublicKey = "k=rsa;p=QUJD";
    fs.writeFileSync(env.contextFile, JSON.stringify(doc, null, 2));
    try {
      const o = await deploy(["Alpha002", "dev"]);
      expect(o.code).toBe(1);
      const pf = stepOf(o.json, "Alpha002/dev", "preflight");
      expect(pf.detail).toMatch(/context: partitionMail:Alpha002:dev is stale vs Postmark domain \d+: DKIM \d+pm\._domainkey\.dev\.ardamails\.com is neither Postmark's current/);
      expect(pf.detail).toContain("run `arda-mail register Alpha002 dev --update` and commit the context file");
    } finally {
      fs.writeFileSync(env.contextFile, before);
    }
  });
});
