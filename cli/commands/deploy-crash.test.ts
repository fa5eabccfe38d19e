/**
 * `arda-mail deploy` for real on the sandbox's local AWS, as an operator runs it (real processes):
 * `deploy root`, then two deploys interrupted mid-apply — Corporate by SIGINT, dev by SIGKILL of
 * the CLI — and run again: each converges (second plan empty) with no duplicate zone or secret.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ListSecretsCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { CascadeResult } from "../../flows/deploy/deploy";
import { clientConfig } from "../../sandbox/aws/moto";
import { listZones } from "../../sandbox/aws/route53";
import { startSandboxEnvironment, type SandboxEnvironment } from "../../sandbox/env";
import { BIN, runBin } from "../../testing/cli";
import { sandboxPlatform } from "../../testing/stacks";

jest.setTimeout(600_000);

describe("deploy for real, interrupted and run again", () => {
  let env: SandboxEnvironment;
  beforeAll(async () => {
    env = await startSandboxEnvironment({ platform: sandboxPlatform(), dir: fs.mkdtempSync(path.join(os.tmpdir(), "arda-deploy-crash-")), localAws: true });
  });
  afterAll(async () => {
    await env?.close();
    if (env) fs.rmSync(env.dir, { recursive: true, force: true });
  });

  const args = (...a: string[]) => [...a, ...env.flags, "--verify-delay-ms", "300", "--json"];

  /** Start a deploy and send `signal` to the CLI process alone once Terraform is applying. */
  function interrupted(signal: NodeJS.Signals, ...target: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [BIN, "deploy", ...args(...target)], { env: { ...process.env, ...env.env }, stdio: ["ignore", "pipe", "pipe"] });
      let stderr = "";
      let sent = false;
      child.stderr.setEncoding("utf8").on("data", (c: string) => {
        stderr += c;
        if (!sent && /: apply…/.test(stderr)) {
          sent = true;
          // Mid-apply: Terraform has started creating (the zone first, then its records).
          setTimeout(() => child.kill(signal), 6000);
        }
      });
      child.stdout.resume();
      child.on("close", (code, sig) => resolve({ code, signal: sig, stderr }));
    });
  }

  it("deploy root applies Root for real", async () => {
    const r = await runBin(["deploy", ...args("root")], env.env, 300_000);
    expect(r.stderr).toContain("Root: apply ok");
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as CascadeResult;
    expect(result.partitions[0]).toMatchObject({ stack: "Root", ok: true, appliedResources: 4, secondPlanClean: true });
  });

  it("Corporate (SIGINT) and dev (SIGKILL) interrupted mid-apply converge on the next run, with no duplicate", async () => {
    const [corp, dev] = await Promise.all([interrupted("SIGINT", "corporate"), interrupted("SIGKILL", "Alpha002", "dev")]);
    expect(dev.signal).toBe("SIGKILL");
    // SIGINT: the apply in progress finishes its changes (no tainted zone), then the deploy stops: 128 + 2.
    expect(corp.stderr).toContain("Corporate: interrupt received during apply — terraform finishes its changes first");
    expect(corp.code).toBe(130);
    const [corpAgain, devAgain] = await Promise.all([runBin(["deploy", ...args("corporate")], env.env, 500_000), runBin(["deploy", ...args("Alpha002", "dev")], env.env, 500_000)]);
    for (const again of [corpAgain, devAgain]) {
      // The operator log's duplicate-resource failures (a second zone's NS set, a second secret).
      expect(again.stderr).not.toMatch(/ResourceExistsException|InvalidChangeBatch|Tried to create resource record set/);
      expect(again.code).toBe(0);
      const p = (JSON.parse(again.stdout) as CascadeResult).partitions[0];
      expect(p).toMatchObject({ ok: true, secondPlanClean: true });
    }
    const aws = env.localAws!.aws;
    const devZones = (await listZones(await clientConfig(aws, "Sandbox-Alpha002"))).filter((z) => z.name === "dev.ardamails.com");
    const corpZones = (await listZones(await clientConfig(aws, "Sandbox-Root"))).filter((z) => z.name === "arda.ardamails.com");
    expect([devZones.length, corpZones.length]).toEqual([1, 1]);
    const sm = new SecretsManagerClient(await clientConfig(aws, "Sandbox-Alpha002"));
    const names = ((await sm.send(new ListSecretsCommand({}))).SecretList ?? []).map((s) => s.Name).sort();
    expect(names).toEqual(["Alpha002-dev-EmailPostmarkAccountToken", "Alpha002-dev-I-EmailEncryptionKey"]);
  });
});
