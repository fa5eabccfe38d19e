/**
 * Terraform Cloud CLI-driven runs (issue 13): a stack of a `cloud`-backend infrastructure is
 * synthesized self-sufficient, then we do what a remote run does — pack the directory as Terraform
 * uploads it (testing/slug.ts: go-slug's defaults and .terraformignore), unpack it into a clean
 * directory outside the repository, and there, with an empty HOME, no project terraform.rc and no
 * `node` reachable, run terraform init + validate + plan.
 *
 * Two stand-ins, for the simulation only (a real remote run has neither):
 * - the hashicorp/aws provider comes from the machine's filesystem mirror, reached through an
 *   implied local mirror directory (XDG_DATA_DIRS) — standing in for Terraform Cloud's own
 *   registry access; our provider is found in the uploaded terraform.d/plugins, as it would be there;
 * - `plan` runs with lib/terraform's offline override (local backend instead of `cloud`, skip flags,
 *   fake AWS credentials), written into the unpacked copy after unpacking, never uploaded.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { OFFLINE_AWS_ENV, writeOfflineOverride } from "./terraform";
import { POSTMARK_PROVIDER_EXE, POSTMARK_PROVIDER_VERSION, REMOTE_PLUGIN_PATH } from "./remote-run";
import { REPO_ROOT } from "../platform/load";
import { offlineSecretVariables } from "../flows/plan-offline";
import { synthPlatform } from "../flows/synth";
import { sandboxPlatform } from "../testing/stacks";
import { runWithoutNode } from "../testing/no-node";
import { packSlug, unpackSlug } from "../testing/slug";

const STACK = "Alpha002-dev-Email";
const AWS_MIRROR = ["/opt/tf-plugins", "/usr/share/terraform/plugins"].find((d) => fs.existsSync(path.join(d, "registry.terraform.io/hashicorp/aws")));
const TERRAFORM = execFileSync("/bin/sh", ["-c", "command -v terraform"], { encoding: "utf8" }).trim();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "arda-remote-run-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const cloudPlatform = () =>
  sandboxPlatform((raw) => {
    raw.infrastructures.find((i: { name: string }) => i.name === "Alpha002").backend = { kind: "cloud", organization: "arda-test-org", workspacePrefix: "arda-mail-" };
  });

let stackDir = "";
beforeAll(() => {
  if (!AWS_MIRROR) throw new Error("this test needs the machine's hashicorp/aws filesystem mirror (stand-in for Terraform Cloud's registry access)");
  stackDir = synthPlatform({ platform: cloudPlatform(), outdir: path.join(tmp, "out"), stacks: [STACK, "Alpha001-demo-Email"], hcl: false }).stackDirs[STACK];
}, 120_000);

test("a cloud-backend stack carries the provider, a linux_amd64 lock file and a .terraformignore; a local-backend stack does not", () => {
  const main = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8"));
  expect(main.terraform.cloud).toEqual({ organization: "arda-test-org", workspaces: { name: `arda-mail-${STACK}` } });
  const placed = path.join(stackDir, REMOTE_PLUGIN_PATH);
  expect(fs.statSync(placed).ino).toBe(fs.statSync(POSTMARK_PROVIDER_EXE).ino); // a hard link, not an 87 MiB copy
  const lock = fs.readFileSync(path.join(stackDir, ".terraform.lock.hcl"), "utf8");
  expect(lock).toMatch(new RegExp(`provider "registry.terraform.io/arda-cards/postmark" \\{\\n  version += "${POSTMARK_PROVIDER_VERSION}"[\\s\\S]*?"h1:`));
  expect(lock).toMatch(/provider "registry.terraform.io\/hashicorp\/aws" \{\n {2}version += "5\.100\.0"[\s\S]*?"h1:/);
  expect(fs.readFileSync(path.join(stackDir, ".terraformignore"), "utf8")).toContain("*_override.tf.json");
  expect(fs.existsSync(path.join(stackDir, ".terraform"))).toBe(false);

  const local = path.join(tmp, "out/stacks/Alpha001-demo-Email");
  expect(fs.existsSync(path.join(local, "terraform.d"))).toBe(false);
  expect(fs.existsSync(path.join(local, ".terraformignore"))).toBe(false);
});

test("packed as Terraform uploads it, unpacked elsewhere: init + validate + plan with no node, no HOME config, no project terraform.rc", async () => {
  // Local leftovers an operator's directory may hold: none of them may travel.
  fs.mkdirSync(path.join(stackDir, ".terraform/providers"), { recursive: true });
  fs.writeFileSync(path.join(stackDir, "terraform.tfstate"), "{}");
  writeOfflineOverride(stackDir);
  const files = packSlug(stackDir, path.join(tmp, "slug.tar.gz"));
  expect(files).toEqual([".terraform.lock.hcl", ".terraformignore", "cdk.tf.json", REMOTE_PLUGIN_PATH]);

  const run = path.join(tmp, "remote/terraform/config");
  unpackSlug(path.join(tmp, "slug.tar.gz"), run);
  for (const f of [".terraform.lock.hcl", ".terraformignore", "cdk.tf.json"]) {
    const text = fs.readFileSync(path.join(run, f), "utf8");
    for (const local of [REPO_ROOT, os.homedir(), tmp]) expect(text).not.toContain(local);
  }
  const lockBefore = fs.readFileSync(path.join(run, ".terraform.lock.hcl"), "utf8");

  // The stand-ins (see the header): aws through an implied mirror dir, the offline override.
  const standIn = path.join(tmp, "tfc-registry-stand-in");
  fs.mkdirSync(path.join(standIn, "terraform"), { recursive: true });
  fs.symlinkSync(AWS_MIRROR!, path.join(standIn, "terraform/plugins")); // Terraform follows a symlink only at a search dir's base
  writeOfflineOverride(run);
  const home = path.join(tmp, "empty-home");
  fs.mkdirSync(home);
  const env: NodeJS.ProcessEnv = { HOME: home, XDG_DATA_DIRS: standIn, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", ...OFFLINE_AWS_ENV, ...offlineSecretVariables() };
  const tf = (args: string[]) => runWithoutNode(TERRAFORM, [...args, "-no-color"], { cwd: run, env, timeoutMs: 180_000 });

  const init = await tf(["init", "-input=false"]);
  expect(init.stderr).toBe("");
  expect(init.code).toBe(0);
  expect(init.stdout).toContain(`Installed arda-cards/postmark v${POSTMARK_PROVIDER_VERSION} (unauthenticated)`);
  expect(init.stdout).toContain("Installed hashicorp/aws v5.100.0 (unauthenticated)");
  expect(fs.readFileSync(path.join(run, ".terraform.lock.hcl"), "utf8")).toBe(lockBefore); // it was complete

  const validate = await tf(["validate"]);
  expect(validate.stdout).toContain("Success! The configuration is valid.");

  const plan = await tf(["plan", "-input=false", "-lock=false", "-refresh=false"]);
  expect(plan.stderr).toBe("");
  expect(plan.code).toBe(0);
  expect(plan.stdout).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy\./);
  expect(plan.stdout).toContain("# postmark_domain_verification.sending_domain_verification_"); // planned by our provider, started in the run
}, 300_000);
