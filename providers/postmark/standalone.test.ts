/**
 * The provider executable is self-contained (issue 13): Terraform, started with an empty
 * environment (only its CLI config and the token variable) in a mount namespace where no `node`
 * can run, installs the provider from the repository's mirror and does init → apply → destroy
 * against the Postmark sandbox. The same executable the mirror, the release and every other test use.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TERRAFORM_RC } from "../../lib/terraform";
import { REPO_ROOT } from "../../platform/load";
import { POSTMARK_PROVIDER_EXE, POSTMARK_PROVIDER_VERSION } from "../../lib/remote-run";
import { RunningSandbox, startSandbox } from "../../sandbox/postmark/server";
import { oneDomainConfiguration } from "../../sandbox/postmark/terraform-config";
import { NODE_STILL_REACHABLE, nodeBinaries, runWithoutNode } from "../../testing/no-node";

const TERRAFORM = execFileSync("/bin/sh", ["-c", "command -v terraform"], { encoding: "utf8" }).trim();
const CANARY = `canary-standalone-${Math.random().toString(36).slice(2)}-token`;

let sandbox: RunningSandbox;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pm-provider-standalone-"));

beforeAll(async () => {
  if (!fs.existsSync(POSTMARK_PROVIDER_EXE)) execFileSync(process.execPath, [path.join(REPO_ROOT, "scripts/build-provider.mjs")], { stdio: "ignore" });
  sandbox = await startSandbox({ port: 0, accountToken: CANARY });
});
afterAll(async () => {
  await sandbox?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

// Nothing but what Terraform itself needs: its CLI config and the sensitive variable.
const env = (): NodeJS.ProcessEnv => ({ TF_CLI_CONFIG_FILE: TERRAFORM_RC, CHECKPOINT_DISABLE: "1", TF_VAR_postmark_token: CANARY });
const tf = (args: string[]) => runWithoutNode(TERRAFORM, [...args, "-input=false", "-no-color"], { cwd: dir, env: env() });

test("the executable is a native ELF program, not a script for some interpreter", () => {
  const head = Buffer.alloc(4);
  const fd = fs.openSync(POSTMARK_PROVIDER_EXE, "r");
  fs.readSync(fd, head, 0, 4, 0);
  fs.closeSync(fd);
  expect(head.toString("latin1")).toBe("\x7fELF");
});

test("the namespace really hides node", async () => {
  expect(nodeBinaries().length).toBeGreaterThan(0);
  const r = await runWithoutNode(nodeBinaries()[0], ["-e", "process.stdout.write('ran')"], { cwd: dir, env: {} });
  expect(r.code).not.toBe(0);
  expect(r.code).not.toBe(NODE_STILL_REACHABLE);
  expect(r.stdout).not.toContain("ran");
});

test("terraform init → apply → destroy with no node reachable and an empty environment", async () => {
  fs.writeFileSync(
    path.join(dir, "main.tf.json"),
    JSON.stringify({ ...oneDomainConfiguration(sandbox.url, "standalone.ardamails.test"), output: { domain_id: { value: "${postmark_domain.d.id}" } } }),
  );
  const init = await tf(["init"]);
  expect(init.stderr).toBe("");
  expect(init.code).toBe(0);
  expect(init.stdout).toContain(`Installed arda-cards/postmark v${POSTMARK_PROVIDER_VERSION}`);

  const apply = await tf(["apply", "-auto-approve"]);
  expect(apply.stderr).toBe("");
  expect(apply.code).toBe(0);
  expect(apply.stdout).toContain("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.");
  const created = await fetch(`${sandbox.url}/domains?count=50&offset=0`, { headers: { "X-Postmark-Account-Token": CANARY, Accept: "application/json" } });
  expect(((await created.json()) as { Domains: Array<{ Name: string }> }).Domains.map((d) => d.Name)).toContain("standalone.ardamails.test");

  const destroy = await tf(["destroy", "-auto-approve"]);
  expect(destroy.code).toBe(0);
  expect(destroy.stdout).toContain("Destroy complete! Resources: 1 destroyed.");
  const after = await fetch(`${sandbox.url}/domains?count=50&offset=0`, { headers: { "X-Postmark-Account-Token": CANARY, Accept: "application/json" } });
  expect(((await after.json()) as { Domains: Array<{ Name: string }> }).Domains.map((d) => d.Name)).not.toContain("standalone.ardamails.test");
  for (const out of [init, apply, destroy]) expect(out.stdout + out.stderr).not.toContain(CANARY);
});
