/**
 * The S3 backend for real, on the local AWS: `backend bootstrap` creates the state bucket in the
 * account, the Root stack applies with its state in that bucket (S3-native lock file), and a second
 * concurrent apply of the same stack is stopped by the lock.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DeleteBucketPolicyCommand, GetBucketPolicyCommand, GetBucketVersioningCommand, GetObjectCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { bootstrapBackend, type BootstrapResult } from "../../flows/backend";
import { buildApp } from "../../main";
import { runTerraform, terraformEnv, type TerraformResult } from "../../lib/terraform";
import type { Platform } from "../../platform/model";
import { rootInfrastructure } from "../../platform/names";
import { sandboxPlatform } from "../../testing/stacks";
import { clientConfig, createRegistrarZone, startLocalAws, type LocalAws } from "./moto";

const KEY = "arda-mail/sandbox/Root.tfstate";

describe("S3 state backend on the local AWS", () => {
  let aws: LocalAws;
  let dir: string;
  let boot: BootstrapResult;
  let platform: Platform;
  let s3: S3Client;
  let env: NodeJS.ProcessEnv;
  let bucketPolicy = "";
  const work: Record<"a" | "b", string> = { a: "", b: "" };
  const tf = (w: "a" | "b", args: string[]): Promise<TerraformResult> => runTerraform([...args, "-no-color"], { cwd: work[w], env, timeoutMs: 240_000 });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "arda-s3-backend-"));
    const base = sandboxPlatform();
    aws = await startLocalAws(base, { dir: path.join(dir, "aws") });
    const clean = { ...process.env };
    for (const k of ["AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]) delete clean[k];
    const awsEnv = { ...clean, ...aws.env };
    boot = await bootstrapBackend({
      platform: base,
      infra: rootInfrastructure(base),
      offline: false,
      outDir: path.join(dir, "boot"),
      progress: () => undefined,
      env: awsEnv,
      stateRoot: path.join(dir, "repo"),
    });

    const { zoneId } = await createRegistrarZone(aws, base);
    platform = sandboxPlatform((raw) => {
      raw.rootZone.id = zoneId;
      raw.infrastructures[0].backend = { kind: "s3", bucket: boot.bucket, keyPrefix: "arda-mail/sandbox", region: "us-east-1" };
    });
    const out = path.join(dir, "cdktf.out");
    buildApp({ platform, outdir: out, stacks: ["Root"] }).synth();
    // Two operators' work directories holding the same synthesized stack.
    for (const w of ["a", "b"] as const) {
      work[w] = path.join(dir, "work", w);
      fs.cpSync(path.join(out, "stacks", "Root"), work[w], { recursive: true });
    }
    env = terraformEnv({ AWS_PROFILE: "Sandbox-Root" }, awsEnv);
    s3 = new S3Client({ ...(await clientConfig(aws, "Sandbox-Root")), forcePathStyle: true });
    bucketPolicy = (await s3.send(new GetBucketPolicyCommand({ Bucket: boot.bucket }))).Policy ?? "";
    // moto 5.2.1 evaluates a Deny statement whose condition does not hold as a Deny
    // (iam/access_control.py is_action_permitted), so the TLS-only policy refuses every object
    // request, over TLS too. The policy is checked above, then removed for the emulator only.
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: boot.bucket }));
    // moto answers on 127.0.0.1, not at <bucket>.s3 host names: path-style addressing, given at init.
    const inits = await Promise.all((["a", "b"] as const).map((w) => tf(w, ["init", "-input=false", "-backend-config=use_path_style=true"])));
    for (const i of inits) if (i.code !== 0) throw new Error(`init failed:\n${i.stderr}`);
  }, 240_000);
  afterAll(async () => {
    s3?.destroy();
    await aws?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("`backend bootstrap` creates the versioned state bucket in the account, with its own state outside the checkout", async () => {
    expect(boot).toMatchObject({ applied: true, bucket: "arda-mail-tfstate-100000000001", plan: { add: 5, change: 0, destroy: 0 } });
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: boot.bucket }))).Status).toBe("Enabled");
    expect(fs.existsSync(path.join(dir, "repo/state/sandbox/bootstrap/Root.tfstate"))).toBe(true);
    expect(JSON.parse(bucketPolicy).Statement[0]).toMatchObject({ Sid: "DenyInsecureTransport", Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } });
  });

  it("applies with state in the bucket; a second concurrent apply is stopped by the lock", async () => {
    const synthesized = JSON.parse(fs.readFileSync(path.join(work.a, "cdk.tf.json"), "utf8"));
    expect(synthesized.terraform.backend.s3).toMatchObject({ bucket: boot.bucket, key: KEY, use_lockfile: true, encrypt: true });

    const first = tf("a", ["apply", "-input=false", "-auto-approve"]);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const held = await s3.send(new HeadObjectCommand({ Bucket: boot.bucket, Key: `${KEY}.tflock` })).then(
        () => true,
        () => false,
      );
      if (held) break;
      if (Date.now() > deadline) throw new Error(`the first apply never took the lock:\n${(await first).stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const second = await tf("b", ["apply", "-input=false", "-auto-approve"]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain("Error acquiring the state lock");
    expect(second.stderr).toContain(`Path:      ${boot.bucket}/${KEY}`);
    expect(second.stderr).toMatch(/Operation: OperationTypeApply/);

    const done = await first;
    if (done.code !== 0) throw new Error(done.stderr);
    expect(done.stdout).toMatch(/Apply complete! Resources: 1 imported, 4 added, 0 changed, 0 destroyed/);
    await expect(s3.send(new HeadObjectCommand({ Bucket: boot.bucket, Key: `${KEY}.tflock` }))).rejects.toThrow();
    const state = JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: boot.bucket, Key: KEY }))).Body!.transformToString());
    expect(state.resources.map((r: { type: string }) => r.type)).toContain("aws_route53_zone");
    for (const w of ["a", "b"] as const) expect(fs.existsSync(path.join(work[w], "terraform.tfstate"))).toBe(false);

    // The other work directory sees the same state: nothing to do.
    expect((await tf("b", ["plan", "-input=false", "-detailed-exitcode"])).code).toBe(0);
  });
});
