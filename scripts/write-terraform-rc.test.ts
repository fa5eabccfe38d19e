/**
 * Builds without the machine's Terraform mirror (issue 13): terraform.rc takes hashicorp/* from the
 * registry when no hashicorp/aws mirror is found, arda-cards/* always from the local build; and a
 * whole `npm run build` of a copy of this working tree passes on a machine whose mirror is hidden
 * (an empty tmpfs over it, in a mount namespace).
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../platform/load";
import { runWithoutNode } from "../testing/no-node";

const SCRIPT = path.join(REPO_ROOT, "scripts/write-terraform-rc.mjs");
const MIRROR_PLACES = ["/opt/tf-plugins", "/usr/share/terraform/plugins", path.join(os.homedir(), ".terraform.d/plugins")];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "arda-tfrc-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function writeRc(env: NodeJS.ProcessEnv, out: string): { code: number; stderr: string; rc: string } {
  const r = spawnSync(process.execPath, [SCRIPT, "--out", out], { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, encoding: "utf8" });
  return { code: r.status ?? -1, stderr: r.stderr, rc: fs.existsSync(out) ? fs.readFileSync(out, "utf8") : "" };
}

test("ARDA_MAIL_TF_MIRROR=none: hashicorp/* from the registry, arda-cards/* from the build, and init of the provider works", () => {
  const out = path.join(tmp, "none.rc");
  const r = writeRc({ ARDA_MAIL_TF_MIRROR: "none" }, out);
  expect(r.code).toBe(0);
  expect(r.stderr).toContain("hashicorp/*: registry — no mirror found (ARDA_MAIL_TF_MIRROR=none)");
  expect(r.rc).not.toContain('hashicorp/*"]\n  }'); // no hashicorp filesystem_mirror block
  expect(r.rc).toContain(`path    = ${JSON.stringify(path.join(REPO_ROOT, "build/terraform-mirror"))}\n    include = ["registry.terraform.io/arda-cards/*"]`);
  expect(r.rc).toMatch(/direct \{\n {4}exclude = \["registry.terraform.io\/arda-cards\/\*"\]\n {2}\}/);
  expect(r.rc.match(/filesystem_mirror/g)).toHaveLength(1);

  const work = fs.mkdtempSync(path.join(tmp, "init-"));
  fs.writeFileSync(path.join(work, "main.tf.json"), JSON.stringify({ terraform: { required_providers: { postmark: { source: "arda-cards/postmark" } } } }));
  const init = spawnSync("terraform", ["init", "-backend=false", "-input=false", "-no-color"], {
    cwd: work,
    env: { PATH: process.env.PATH, TF_CLI_CONFIG_FILE: out, CHECKPOINT_DISABLE: "1" },
    encoding: "utf8",
  });
  expect(init.stderr).toBe("");
  expect(init.stdout).toMatch(/Installed arda-cards\/postmark v\d+\.\d+\.\d+ \(unauthenticated\)/);
});

test("a machine mirror is used whenever one is found", () => {
  const mirror = MIRROR_PLACES.find((d) => fs.existsSync(path.join(d, "registry.terraform.io/hashicorp/aws")));
  if (!mirror) throw new Error("this test needs the machine's hashicorp/aws mirror (see /work/shared/notes/toolchain.md)");
  const r = writeRc({ ARDA_MAIL_TF_MIRROR: mirror }, path.join(tmp, "mirror.rc"));
  expect(r.code).toBe(0);
  expect(r.rc).toContain(`path    = ${JSON.stringify(mirror)}\n    include = ["registry.terraform.io/hashicorp/*"]`);
  expect(r.rc).toContain(`exclude = ["registry.terraform.io/hashicorp/*", "registry.terraform.io/arda-cards/*"]`);
});

test("ARDA_MAIL_TF_MIRROR naming a directory that is no mirror fails with a Next: hint", () => {
  const r = writeRc({ ARDA_MAIL_TF_MIRROR: tmp }, path.join(tmp, "bad.rc"));
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`ARDA_MAIL_TF_MIRROR=${tmp} holds no registry.terraform.io/hashicorp/aws. Next: point it at a filesystem mirror's root, or set ARDA_MAIL_TF_MIRROR=none`);
  expect(r.rc).toBe("");
});

test("npm run build of a copy of this tree passes with the machine's mirror hidden", async () => {
  // A copy of the working tree (tracked and new files), sharing node_modules read-only.
  const copy = path.join(tmp, "tree");
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: REPO_ROOT, encoding: "utf8" }).split("\0").filter(Boolean);
  for (const f of files) {
    const src = path.join(REPO_ROOT, f);
    if (!fs.existsSync(src)) continue; // deleted in the working tree
    fs.mkdirSync(path.dirname(path.join(copy, f)), { recursive: true });
    fs.copyFileSync(src, path.join(copy, f));
  }
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(copy, "node_modules"));
  const hidden = MIRROR_PLACES.filter((d) => fs.existsSync(d));
  const npm = execFileSync("/bin/sh", ["-c", "command -v npm"], { encoding: "utf8" }).trim();
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, CHECKPOINT_DISABLE: "1" };
  const r = await runWithoutNode(npm, ["run", "build"], { cwd: copy, env, keepNode: true, hideDirs: hidden, timeoutMs: 300_000 });
  expect(r.stderr).toContain("terraform.rc written (hashicorp/*: registry — no mirror found in ");
  expect(r.code).toBe(0);
  const rc = fs.readFileSync(path.join(copy, "terraform.rc"), "utf8");
  expect(rc.match(/filesystem_mirror/g)).toHaveLength(1);
  expect(rc).toContain(JSON.stringify(path.join(copy, "build/terraform-mirror")));
  expect(fs.existsSync(path.join(copy, "dist/main.js"))).toBe(true);
  expect(fs.existsSync(path.join(copy, ".gen/providers/postmark/provider/index.ts"))).toBe(true);
}, 400_000);
