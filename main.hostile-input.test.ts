/**
 * Issue 10 items 1–2 where the issue saw them: real processes (`npm run synth`, `npm run plan:offline`,
 * `node dist/main.js`, `bin/arda-mail register --dry-run`) given a hostile context or platform file
 * exit non-zero with a message naming the field — before any Terraform runs. Needs `npm run build`.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { platformFile, REPO_ROOT } from "./platform/load";
import { SANDBOX_CONTEXT_FILE } from "./testing/stacks";

if (!fs.existsSync(path.join(REPO_ROOT, "dist", "scripts", "synth.js"))) throw new Error("these tests need the compiled scripts: run `npm run build` first");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

let dir: string;
beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "h10a-hostile-"))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The sandbox context with the dev entry's `returnPathTarget` replaced. */
function contextWith(name: string, returnPathTarget: string): string {
  const doc = JSON.parse(fs.readFileSync(SANDBOX_CONTEXT_FILE, "utf8"));
  doc.context["partitionMail:Alpha002:dev"].returnPathTarget = returnPathTarget;
  const file = path.join(dir, `${name}.cdktf.json`);
  fs.writeFileSync(file, JSON.stringify(doc, null, 2));
  return file;
}

function platformWith(name: string, edit: (raw: Record<string, any>) => void): string {
  const raw = JSON.parse(fs.readFileSync(platformFile("sandbox"), "utf8"));
  edit(raw);
  const file = path.join(dir, `${name}.platform.json`);
  fs.writeFileSync(file, JSON.stringify(raw, null, 2));
  return file;
}

const SYNTH = ["dist/scripts/synth.js", "--no-hcl"];
const HEAD = (file: string) => `Invalid CDKTF context entry "partitionMail:Alpha002:dev" in ${file} (re-run \`arda-mail register Alpha002 dev\`):`;

describe("a hostile context file: synth and plan:offline refuse it, naming the field (issue 10 item 1)", () => {
  it.each([
    ["file", '${file("/etc/hostname")}', '"${file(\\"/etc/hostname\\")}"'],
    ["cwd", "${path.cwd}", '"${path.cwd}"'],
    ["quote", 'a"b', '"a\\"b"'],
    ["evil", "evil.example.com", '"evil.example.com"'],
  ])("npm run synth with returnPathTarget %s", async (name, value, shown) => {
    const file = contextWith(name, value);
    const r = await run([...SYNTH, "--outdir", path.join(dir, `out-${name}`)], { ARDA_MAIL_CONTEXT_FILE: file });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`synth failed: ${HEAD(file)}\n  - partitionMail:Alpha002:dev.returnPathTarget: ${shown} is not Postmark's Return-Path target (pm.mtasv.net)\n`);
  });

  it("npm run plan:offline --stack Alpha002-dev-Email refuses the entry before Terraform runs (the issue saw the hostname planned)", async () => {
    const file = contextWith("plan", '${file("/etc/hostname")}');
    const r = await run(["dist/scripts/plan-offline.js", "--stack", "Alpha002-dev-Email"], { ARDA_MAIL_CONTEXT_FILE: file });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `plan:offline failed: ${HEAD(file)}\n  - partitionMail:Alpha002:dev.returnPathTarget: "\${file(\\"/etc/hostname\\")}" is not Postmark's Return-Path target (pm.mtasv.net)`,
    );
    expect(r.stdout).not.toContain("to add");
  });

  it("a BOM-prefixed or broken context file names the file", async () => {
    const bom = path.join(dir, "bom.cdktf.json");
    fs.writeFileSync(bom, `\uFEFF${fs.readFileSync(SANDBOX_CONTEXT_FILE, "utf8")}`);
    const r = await run([...SYNTH, "--outdir", path.join(dir, "out-bom")], { ARDA_MAIL_CONTEXT_FILE: bom });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`synth failed: ${bom}: starts with a byte-order mark (U+FEFF); save it as UTF-8 without BOM — fix or restore it (git checkout) before running arda-mail again\n`);
    const str = path.join(dir, "string.cdktf.json");
    fs.writeFileSync(str, '{"context": "entries"}');
    const s = await run([...SYNTH, "--outdir", path.join(dir, "out-str")], { ARDA_MAIL_CONTEXT_FILE: str });
    expect(s.code).toBe(1);
    expect(s.stderr).toBe(
      `synth failed: ${str}: "context" must be an object of register entries (found a string); arda-mail will not overwrite it — fix or restore it (git checkout) before running arda-mail again\n`,
    );
  });
});

describe("a hostile platform file: the app and the CLI refuse it, naming the field (issue 10 item 2)", () => {
  const NEXT = "Next: fix the platform model, or choose another one with --platform (known: sandbox, arda)";

  it("node dist/main.js (the CDKTF app) refuses a misspelt field and an account id given as a number", async () => {
    const misspelt = platformWith("misspelt", (r) => {
      r.infrastructures[1].acountId = r.infrastructures[1].accountId;
      delete r.infrastructures[1].accountId;
    });
    const a = await run(["dist/main.js"], { ARDA_MAIL_PLATFORM_FILE: misspelt, CDKTF_OUTDIR: path.join(dir, "out-main") });
    expect(a.code).toBe(1);
    expect(a.stderr).toBe(
      `synth failed: Invalid platform model (${misspelt}):\n  - infrastructures.Alpha001.acountId: unknown field (did you mean "accountId"?); known: name, kind, accountId, region, awsProfile, backend\n`,
    );
    const number = platformWith("number", (r) => (r.infrastructures[1].accountId = 9765408297));
    const b = await run(["dist/main.js"], { ARDA_MAIL_PLATFORM_FILE: number, CDKTF_OUTDIR: path.join(dir, "out-main") });
    expect(b.code).toBe(1);
    expect(b.stderr).toContain('infrastructures.Alpha001.accountId: must be a string of exactly 12 digits (got the number 9765408297; quote it, e.g. "009765408297")');
  });

  it('register --dry-run refuses a 247-character root (it said "would create")', async () => {
    const file = platformWith("long", (r) => (r.mailRootDomain = ["a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(55)].join(".")));
    const r = await run(["bin/arda-mail", "register", "Alpha002", "dev", "--dry-run"], { ARDA_MAIL_PLATFORM_FILE: file, NODE_ENV: "production" });
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain("would create");
    expect(r.stderr).toContain(
      `Invalid platform model (${file}):\n  - partitions.dev.name: with mailRootDomain (247 characters) it derives a name of 279 characters (20260526234343pm._domainkey.dev.aaaaaaaa…); a DNS name is at most 253\n`,
    );
    expect(r.stderr).toContain(NEXT);
  });

  it.each([
    ["dnsRecordsRoleName", (r: any) => (r.dnsRecordsRoleName = "${path.cwd}"), 'dnsRecordsRoleName: "${path.cwd}" is not an IAM role name (letters, digits, "+=,.@_-", at most 64)'],
    ["contextFile", (r: any) => (r.contextFile = "../../etc/passwd"), 'contextFile: "../../etc/passwd" is not a relative path inside the repository'],
    ["duplicate asset labels", (r: any) => r.corporate.assets.push({ ...r.corporate.assets[0], name: "other" }), 'corporate.assets: two entries with label "freekanban"'],
  ])("register --dry-run refuses %s", async (name, edit, expected) => {
    const file = platformWith(name.replace(/\W/g, "-"), edit);
    const r = await run(["bin/arda-mail", "register", "Alpha002", "dev", "--dry-run"], { ARDA_MAIL_PLATFORM_FILE: file, NODE_ENV: "production" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`  - ${expected}`);
    expect(r.stderr).toContain(NEXT);
  });
});
