import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { platformFile } from "../../../platform/load";
import { PLATFORM_FILE_ENV } from "../../../platform/select";
import { runInProcess } from "../../../testing/cli";
import BackendBootstrap from "./bootstrap";
import BackendList from "./list";
import BackendSet from "./set";

describe("arda-mail backend", () => {
  let dir: string;
  let file: string;
  const original = fs.readFileSync(platformFile("sandbox"), "utf8");
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "arda-backend-"));
    file = path.join(dir, "sandbox.platform.json");
    fs.writeFileSync(file, original);
    process.env[PLATFORM_FILE_ENV] = file;
  });
  afterEach(() => {
    delete process.env[PLATFORM_FILE_ENV];
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("list, then set s3 / cloud / local: only that backend's text changes, re-validated, listed back", async () => {
    const l = await runInProcess(BackendList, ["--platform", "sandbox", "--json"]);
    expect(l.code).toBe(0);
    expect(JSON.parse(l.stdout).backends.map((b: { infrastructure: string; kind: string }) => `${b.infrastructure}:${b.kind}`)).toEqual(["Root:local", "Alpha001:local", "Alpha002:local"]);

    const s = await runInProcess(BackendSet, ["Alpha002", "s3", "--platform", "sandbox", "--key-prefix", "arda-mail/sandbox"]);
    expect(s.code).toBe(0);
    expect(s.stderr).toContain("Alpha002: backend is now S3 s3://arda-mail-tfstate-100000000003/arda-mail/sandbox/<stack>.tfstate (us-east-1)");
    expect(s.stderr).toContain("terraform init -migrate-state");
    const text = fs.readFileSync(file, "utf8");
    expect(
      text.replace(
        '{ "kind": "s3", "bucket": "arda-mail-tfstate-100000000003", "keyPrefix": "arda-mail/sandbox", "region": "us-east-1" }',
        '{ "kind": "local", "directory": "state/sandbox/Alpha002" }',
      ),
    ).toBe(original);

    const c = await runInProcess(BackendSet, ["Alpha001", "cloud", "--platform", "sandbox", "--organization", "arda", "--project", "email", "--json"]);
    expect(c.code).toBe(0);
    expect(JSON.parse(c.stdout).backend).toEqual({ kind: "cloud", organization: "arda", workspacePrefix: "arda-mail-sandbox-", project: "email" });
    const l2 = await runInProcess(BackendList, ["--platform", "sandbox"]);
    expect(l2.stderr).toContain("Terraform Cloud arda, workspaces arda-mail-sandbox-<stack>, project email");
    const again = await runInProcess(BackendSet, ["Alpha001", "cloud", "--platform", "sandbox", "--organization", "arda", "--project", "email"]);
    expect(again.stderr).toContain("unchanged");
  });

  test("invalid values are refused and the file is not touched", async () => {
    const bad = await runInProcess(BackendSet, ["Alpha002", "s3", "--platform", "sandbox", "--bucket", "Not_A_Bucket"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('infrastructures.Alpha002.backend.bucket: "Not_A_Bucket" is not a valid S3 bucket name');
    const unknown = await runInProcess(BackendSet, ["Alpha009", "local", "--platform", "sandbox"]);
    expect(unknown.stderr).toContain('unknown infrastructure "Alpha009"');
    const cloud = await runInProcess(BackendSet, ["Alpha001", "cloud", "--platform", "sandbox"]);
    expect(cloud.stderr).toContain("a cloud backend needs --organization");
    expect(fs.readFileSync(file, "utf8")).toBe(original);
    expect(fs.readdirSync(dir)).toEqual(["sandbox.platform.json"]);
  });

  test("bootstrap --offline synthesizes the bucket stack and plans it with the real Terraform + AWS provider", async () => {
    const out = path.join(dir, "out");
    const o = await runInProcess(BackendBootstrap, ["Alpha002", "--platform", "sandbox", "--offline", "--out", out, "--json"]);
    expect(o.stderr).toContain("plan: 5 to add, 0 to change, 0 to destroy");
    expect(o.code).toBe(0);
    const r = JSON.parse(o.stdout);
    expect(r).toMatchObject({ bucket: "arda-mail-tfstate-100000000003", applied: false, offline: true, plan: { add: 5 } });
    expect(r.migrate[0]).toBe("arda-mail backend set Alpha002 s3 --bucket arda-mail-tfstate-100000000003 --key-prefix arda-mail/sandbox --region us-east-1");
    const tf = JSON.parse(fs.readFileSync(path.join(out, "stacks", "Alpha002-StateBackend", "cdk.tf.json"), "utf8"));
    expect(tf.terraform.backend.local.path).toMatch(/state\/sandbox\/bootstrap\/Alpha002\.tfstate$/);
    expect(Object.values(tf.resource.aws_s3_bucket_versioning)[0]).toMatchObject({ versioning_configuration: { status: "Enabled" } });
    expect(Object.values(tf.resource.aws_s3_bucket_public_access_block)[0]).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(JSON.stringify(tf.resource.aws_s3_bucket_policy)).toContain("aws:SecureTransport");
    expect(Object.values(tf.resource.aws_s3_bucket_server_side_encryption_configuration)[0]).toMatchObject({ rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms" } }] });
    expect(tf.provider.aws[0].allowed_account_ids).toEqual(["100000000003"]);
  });
});
