/**
 * Root, then one partition (Alpha002-dev-Email), applied as synthesized — no override file — with
 * the real terraform and aws provider against moto on loopback; converged, outputs in the right
 * accounts, state where the model says, a rotation read back from Secrets Manager, no canary.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { GetSecretValueCommand, ListSecretVersionIdsCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { runTerraform, type TerraformResult } from "../../lib/terraform";
import { REPO_ROOT } from "../../platform/load";
import { infrastructure, rootInfrastructure } from "../../platform/names";
import { sandboxPlatform } from "../../testing/stacks";
import { clientConfig, readRecordSets } from "./moto";
import { startRehearsal, type Rehearsal } from "./rehearsal";

const DEV = "Alpha002-dev-Email";
const KEY_SECRET = "Alpha002-dev-I-EmailEncryptionKey";
const TOKEN_SECRET = "Alpha002-dev-EmailPostmarkAccountToken";

describe("stacks applied to the local AWS", () => {
  let r: Rehearsal;
  let dirs: Record<string, string>;
  let workDirs: Record<string, string>;
  const logs: string[] = [];
  const timings: Record<string, number> = {};
  let registry: string;

  const tf = async (stack: string, args: string[], vars: Record<string, string | number> = {}): Promise<TerraformResult> => {
    const infra = stack === "Root" ? rootInfrastructure(r.platform) : infrastructure(r.platform, "Alpha002");
    const res = await runTerraform([...args, "-no-color"], { cwd: workDirs[stack], env: r.env(infra, vars), timeoutMs: 240_000 });
    logs.push(res.stdout, res.stderr);
    return res;
  };
  const devVars = (): Record<string, string> => ({ email_encryption_key_registry: registry });
  const secrets = async (): Promise<SecretsManagerClient> => new SecretsManagerClient(await clientConfig(r.aws, "Sandbox-Alpha002"));

  beforeAll(async () => {
    r = await startRehearsal(sandboxPlatform());
    registry = r.newRegistry();
    // Every entry: `cdktf` synthesizes the whole app.
    await r.registerAll();
    dirs = r.synth(["Root", DEV], path.join(r.dir, "cdktf.out"));
    // Applied from a copy in another directory, as a deploy's temp work directory does.
    workDirs = {};
    for (const [s, d] of Object.entries(dirs)) {
      workDirs[s] = path.join(r.dir, "work", s);
      fs.cpSync(d, workDirs[s], { recursive: true });
    }
    const inits = await Promise.all(["Root", DEV].map((s) => tf(s, ["init", "-input=false"])));
    expect(inits.map((i) => i.code)).toEqual([0, 0]);
    // Root first, as a real deploy must (its role lets the partition write the delegation).
    for (const s of ["Root", DEV]) {
      const apply = await tf(s, ["apply", "-input=false", "-auto-approve"], s === DEV ? devVars() : {});
      if (apply.code !== 0) throw new Error(`${s} apply failed:\n${apply.stderr || apply.stdout}`);
      timings[s] = apply.durationMs;
    }
    process.stderr.write(`local AWS apply: Root ${timings.Root} ms, ${DEV} ${timings[DEV]} ms\n`);
  }, 240_000);
  afterAll(async () => {
    await r?.close();
  });

  it("applies both stacks as synthesized: Root adopts the registrar's zone, the partition adds its 15", () => {
    const apply = logs.join("\n");
    expect(apply).toMatch(/Apply complete! Resources: 1 imported, 4 added, 0 changed, 0 destroyed/);
    expect(apply).toMatch(/Apply complete! Resources: 15 added, 0 changed, 0 destroyed/);
    expect(fs.readdirSync(workDirs[DEV]).some((f) => f.includes("override"))).toBe(false);
  });

  it("converges (a second plan of each stack is empty) and still refuses to destroy the key secret", async () => {
    const [root, dev, destroy] = await Promise.all([
      tf("Root", ["plan", "-input=false", "-detailed-exitcode"]),
      tf(DEV, ["plan", "-input=false", "-detailed-exitcode"], devVars()),
      tf(DEV, ["plan", "-destroy", "-refresh=false", "-lock=false", "-input=false"], devVars()),
    ]);
    expect([root.code, dev.code]).toEqual([0, 0]);
    expect(dev.stdout).toContain("No changes.");
    expect(destroy.code).toBe(1);
    expect(destroy.stderr).toMatch(/Instance cannot be destroyed[\s\S]*aws_secretsmanager_secret\.EmailEncryptionKey_secret_\w+/);
    // Its versions are not protected: a rotation replaces them.
    expect(destroy.stderr).not.toMatch(/aws_secretsmanager_secret_version\./);
  });

  it("keeps state where the model says, not in the work directory", () => {
    const expected = path.join(r.stateRoot, "state/sandbox/Alpha002", `${DEV}.tfstate`);
    expect(fs.existsSync(expected)).toBe(true);
    expect(fs.existsSync(path.join(r.stateRoot, "state/sandbox/Root/Root.tfstate"))).toBe(true);
    for (const d of Object.values(workDirs)) {
      expect(fs.existsSync(path.join(d, "terraform.tfstate"))).toBe(false);
      expect(fs.existsSync(path.join(d, "state"))).toBe(false);
    }
  });

  it("outputs real ARNs in each stack's own account, and the delegation is in the root zone", async () => {
    // Outputs as the state holds them (what `terraform output` prints).
    const outputs = (file: string): Record<string, { value: string }> => JSON.parse(fs.readFileSync(path.join(r.stateRoot, "state/sandbox", file), "utf8")).outputs;
    const out = outputs(`Alpha002/${DEV}.tfstate`);
    expect(out.EmailEncryptionKeyArn.value).toMatch(new RegExp(`^arn:aws:secretsmanager:us-east-1:100000000003:secret:${KEY_SECRET}-\\w{6}$`));
    expect(out.EmailPostmarkAccountTokenArn.value).toMatch(new RegExp(`^arn:aws:secretsmanager:us-east-1:100000000003:secret:${TOKEN_SECRET}-\\w{6}$`));
    expect(out.EmailDnsProvisioningRoleArn.value).toMatch(/^arn:aws:iam::100000000003:role\/Alpha002-dev-EmailDns-\w+$/);
    expect(out.EmailEncryptionKeyFallbackRoleArn.value).toMatch(/^arn:aws:iam::100000000003:role\/Alpha002-dev-EmailKeyFallback-\w+$/);
    expect(out.PartitionMailZoneName.value).toBe("dev.ardamails.com");
    const root = outputs("Root/Root.tfstate");
    expect(root.MailRootZoneId.value).toBe(r.zoneId);
    expect(root.AllowCreatingNSRecordsRoleArn.value).toBe("arn:aws:iam::100000000001:role/AllowCreatingNSRecordsRole");

    const devZone = await readRecordSets(r.aws, "Sandbox-Alpha002", out.PartitionMailZoneId.value);
    const rootZone = await readRecordSets(r.aws, "Sandbox-Root", r.zoneId);
    const delegation = rootZone.find((s) => s.type === "NS" && s.name === "dev.ardamails.com");
    expect(delegation?.values.sort()).toEqual(devZone.find((s) => s.type === "NS" && s.name === "dev.ardamails.com")!.values.sort());
    expect(
      rootZone
        .filter((s) => s.type === "TXT")
        .map((s) => s.name)
        .sort(),
    ).toEqual(["_dmarc.ardamails.com", "ardamails.com"]);
    expect(devZone.map((s) => s.type).sort()).toEqual(["CNAME", "NS", "SOA", "TXT", "TXT", "TXT"]);
  });

  it("writes the secrets through write-only arguments: the values reach Secrets Manager", async () => {
    const sm = await secrets();
    expect((await sm.send(new GetSecretValueCommand({ SecretId: KEY_SECRET }))).SecretString).toBe(registry);
    expect((await sm.send(new GetSecretValueCommand({ SecretId: TOKEN_SECRET }))).SecretString).toBe(r.token);
    sm.destroy();
  });

  it("`cdktf diff` after the plain apply shows no changes; a rotation through `cdktf deploy` lands in the same state", async () => {
    expect(fs.existsSync(path.join(REPO_ROOT, "dist", "main.js"))).toBe(true); // `npm run build`
    const cdktf = path.join(path.dirname(require.resolve("cdktf-cli/package.json")), "bundle/bin/cdktf");
    const out = path.join(r.dir, "cdktf-out");
    const cdktfEnv = (vars: Record<string, string | number>): NodeJS.ProcessEnv => ({
      // The README's environment: the project's terraform.rc, the sensitive TF_VAR_*, the AWS profile.
      ...r.env(infrastructure(r.platform, "Alpha002"), vars),
      ARDA_MAIL_PLATFORM_FILE: r.platformFile,
      ARDA_MAIL_CONTEXT_FILE: r.contextFile,
      ARDA_MAIL_STATE_ROOT: r.stateRoot,
      CI: "1",
      FORCE_COLOR: "0",
    });
    const run = (args: string[], vars: Record<string, string | number>): Promise<string> =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [cdktf, ...args, DEV, "--output", out, "--disable-plugin-cache-env", "--skip-provider-lock", "--no-color"], {
          cwd: REPO_ROOT,
          env: cdktfEnv(vars),
          stdio: ["ignore", "pipe", "pipe"],
        });
        let text = "";
        child.stdout.on("data", (c: Buffer) => (text += c.toString()));
        child.stderr.on("data", (c: Buffer) => (text += c.toString()));
        child.on("close", (code) => {
          logs.push(text);
          if (code === 0) resolve(text);
          else reject(new Error(`cdktf ${args[0]} exited ${code}:\n${text.slice(-3000)}`));
        });
      });
    const t = Date.now();
    const old = registry;
    registry = r.newRegistry();
    // A new value under the same version: no change — write-only values are invisible to the plan,
    // so a deploy must bump the version. And cdktf reads the state the plain apply wrote.
    const diff = await run(["diff"], devVars());
    expect(diff).toContain("No changes. Your infrastructure matches the configuration.");
    expect(JSON.parse(fs.readFileSync(path.join(out, "stacks", DEV, "cdk.tf.json"), "utf8")).terraform.backend.local.path).toBe(path.join(r.stateRoot, "state/sandbox/Alpha002", `${DEV}.tfstate`));

    // The bump replaces the secret version (only the secret is prevent_destroy).
    const bumped = { ...devVars(), email_encryption_key_registry_version: 2 };
    const deploy = await run(["deploy", "--auto-approve", "--skip-synth"], bumped);
    expect(deploy).toMatch(/EmailEncryptionKey_value_\w+ \(EmailEncryptionKey\/value\) must be replaced/);
    expect(deploy).toContain("Apply complete! Resources: 1 added, 0 changed, 1 destroyed.");
    process.stderr.write(`cdktf diff + deploy: ${Date.now() - t} ms\n`);
    expect(fs.existsSync(path.join(out, "stacks", DEV, "terraform.tfstate"))).toBe(false);

    const sm = await secrets();
    expect((await sm.send(new GetSecretValueCommand({ SecretId: KEY_SECRET, VersionStage: "AWSCURRENT" }))).SecretString).toBe(registry);
    expect((await sm.send(new GetSecretValueCommand({ SecretId: KEY_SECRET, VersionStage: "AWSPREVIOUS" }))).SecretString).toBe(old);
    const versions = (await sm.send(new ListSecretVersionIdsCommand({ SecretId: KEY_SECRET }))).Versions ?? [];
    expect(versions.map((v) => v.VersionStages).sort()).toEqual([["AWSCURRENT"], ["AWSPREVIOUS"]]);
    // The token secret was not touched.
    expect((await sm.send(new ListSecretVersionIdsCommand({ SecretId: TOKEN_SECRET }))).Versions).toHaveLength(1);
    sm.destroy();

    // One state per stack: the plain terraform directory sees cdktf's apply — nothing to do.
    expect((await tf(DEV, ["plan", "-input=false", "-detailed-exitcode"], bumped)).code).toBe(0);
  });

  it("no canary value in state, plans, logs or the synthesized files", () => {
    const files = [
      ...fs
        .readdirSync(path.join(r.stateRoot, "state/sandbox"), { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.join(e.parentPath, e.name)),
      ...Object.values(workDirs).map((d) => path.join(d, "cdk.tf.json")),
    ].filter((f) => fs.existsSync(f));
    expect(files.length).toBeGreaterThanOrEqual(4);
    const haystack = [...logs, ...files.map((f) => fs.readFileSync(f, "latin1"))].join("\n");
    expect(r.canaries.length).toBeGreaterThanOrEqual(3);
    for (const c of r.canaries) expect(haystack.includes(c)).toBe(false);
  });
});
