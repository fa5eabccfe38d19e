/**
 * Hostile and broken input (issue 10, items 5, 7, 8) through the real CLI (bin/arda-mail, compiled
 * dist) and `npm run sandbox`'s entry: each case's message asserted.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { platformFile, REPO_ROOT } from "../platform/load";
import { PLATFORM_FILE_ENV } from "../platform/select";
import { CANARY_TOKEN, runBin, startHarness } from "../testing/cli";

jest.setTimeout(120_000);

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "arda-hostile-"))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("backend: one bucket rule, read-modify-write under the lock", () => {
  let file: string;
  const original = fs.readFileSync(platformFile("sandbox"), "utf8");
  beforeEach(() => {
    file = path.join(dir, "sandbox.platform.json");
    fs.writeFileSync(file, original);
  });

  test.each([
    ["UPPER..bad", "may hold only lower-case letters, digits, dots and hyphens"],
    ["two..dots", "must not contain two dots in a row"],
    ["ab", "must be 3 to 63 characters"],
    ["-leading", "must begin and end with a letter or digit"],
    ["192.168.1.10", "must not look like an IP address"],
  ])("bootstrap --bucket %s is refused as backend set refuses it (%s), before anything is synthesized", async (bucket, why) => {
    const env = { [PLATFORM_FILE_ENV]: file };
    const boot = await runBin(["backend", "bootstrap", "Alpha002", "--offline", "--platform", "sandbox", "--bucket", bucket, "--out", path.join(dir, "out")], env);
    expect(boot.code).toBe(2);
    expect(boot.stderr).toContain(`Error: --bucket "${bucket}" is not a valid S3 bucket name: it ${why}`);
    expect(boot.stderr).toContain("Next: choose a valid name, or omit --bucket for arda-mail-tfstate-100000000003");
    expect(fs.existsSync(path.join(dir, "out"))).toBe(false);
    const set = await runBin(["backend", "set", "Alpha002", "s3", "--platform", "sandbox", "--bucket", bucket], env);
    expect(set.code).toBe(1);
    expect(set.stderr).toContain(`infrastructures.Alpha002.backend.bucket: "${bucket}" is not a valid S3 bucket name: it ${why}`);
    expect(fs.readFileSync(file, "utf8")).toBe(original);
  });

  test("three concurrent `backend set` processes on three accounts: every change survives", async () => {
    for (let trial = 1; trial <= 2; trial++) {
      fs.writeFileSync(file, original);
      const env = { [PLATFORM_FILE_ENV]: file };
      const runs = await Promise.all([
        runBin(["backend", "set", "Root", "local", "--platform", "sandbox", "--directory", `state/sandbox/root-${trial}`], env),
        runBin(["backend", "set", "Alpha001", "cloud", "--platform", "sandbox", "--organization", `arda${trial}`], env),
        runBin(["backend", "set", "Alpha002", "s3", "--platform", "sandbox", "--key-prefix", `arda-mail/t${trial}`], env),
      ]);
      for (const r of runs) expect(r.code).toBe(0);
      const model = JSON.parse(fs.readFileSync(file, "utf8")) as { infrastructures: Array<{ name: string; backend: Record<string, string> }> };
      const b = Object.fromEntries(model.infrastructures.map((i) => [i.name, i.backend]));
      expect(b.Root).toEqual({ kind: "local", directory: `state/sandbox/root-${trial}` });
      expect(b.Alpha001).toMatchObject({ kind: "cloud", organization: `arda${trial}` });
      expect(b.Alpha002).toMatchObject({ kind: "s3", keyPrefix: `arda-mail/t${trial}` });
    }
  });
});

describe("sandbox: one token rule", () => {
  test.each([
    ["ab", "--token must be at least 8 characters"],
    ["has a space", "--token must be visible ASCII characters only (no spaces, newlines or control characters)"],
  ])("--token %j is refused by `arda-mail sandbox` as `npm run sandbox` refuses it", async (token, message) => {
    const cli = await runBin(["sandbox", "--port", "0", "--token", token], {}, 20_000);
    expect(cli.signal).toBeNull();
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain(`Error: ${message}`);
    expect(cli.stderr).toContain("Next: pass --token with at least 8 visible characters");
    const npm = await runNode([path.join(REPO_ROOT, "dist", "sandbox", "postmark", "main.js"), "--port", "0", "--token", token]);
    expect(npm.code).toBe(2);
    expect(npm.stderr).toContain(`postmark sandbox: ${message}`);
  });
});

describe("messages that say what happened", () => {
  test("`verify corporate extra` gets the CLI's own error form with a Next line (and --json an error object)", async () => {
    const o = await runBin(["verify", "corporate", "extra"]);
    expect(o.code).toBe(2);
    expect(o.stderr).toBe(
      'Error: unknown command "verify corporate extra": `arda-mail verify corporate` takes no further word "extra"\nNext: see `arda-mail verify corporate --help` for its arguments and an example\n',
    );
    const j = await runBin(["verify", "corporate", "extra", "--json"]);
    expect(j.code).toBe(2);
    expect(JSON.parse(j.stdout)).toEqual({ error: { message: expect.stringContaining('unknown command "verify corporate extra"'), next: expect.stringContaining("verify corporate --help") } });
    const topic = await runBin(["keys", "nosuch"]);
    expect(topic.stderr).toBe('Error: unknown command "keys nosuch"\nNext: see `arda-mail keys --help` for its commands\n');
  });

  test("register into a read-only (0444) context file replaces it atomically and keeps its mode", async () => {
    const h = await startHarness();
    try {
      fs.chmodSync(h.contextFile, 0o444);
      const o = await runBin(["register", "Alpha002", "dev", ...h.flags]);
      expect(o.code).toBe(0);
      expect(JSON.parse(fs.readFileSync(h.contextFile, "utf8")).context["partitionMail:Alpha002:dev"]).toBeDefined();
      expect(fs.statSync(h.contextFile).mode & 0o7777).toBe(0o444);
      expect(o.stdout + o.stderr).not.toContain(CANARY_TOKEN);
    } finally {
      await h.close();
    }
  });

  test("verify stops before Postmark once the DNS checks have failed: no verify call, no retry delays", async () => {
    const h = await startHarness();
    try {
      expect((await runBin(["register", "Alpha002", "dev", ...h.flags])).code).toBe(0);
      await h.sandbox.admin.clearRequests();
      // A loopback port nothing listens on: every DNS check fails at once (connection refused).
      const dgram = await import("node:dgram");
      const probe = dgram.createSocket("udp4");
      await new Promise<void>((r) => probe.bind(0, "127.0.0.1", () => r()));
      const addr = `127.0.0.1:${(probe.address() as { port: number }).port}`;
      await new Promise<void>((r) => probe.close(() => r()));
      {
        const t = Date.now();
        const o = await runBin(["verify", "Alpha002", "dev", ...h.flags, "--resolver", addr, "--parent-server", addr, "--attempts", "5", "--delay-ms", "3000"], {}, 120_000);
        const took = Date.now() - t;
        expect(o.code).toBe(1);
        expect(o.stderr).toContain("not asked: the DNS checks failed (ns-delegation, spf, dmarc, dkim, return-path); Postmark reads the same records");
        const verifyCalls = (await h.sandbox.admin.requests()).filter((r) => /verify/i.test(r.path));
        expect(verifyCalls).toEqual([]);
        // Five attempts with 3 s between them would have taken ≥ 24 s for the two Postmark checks.
        expect(took).toBeLessThan(20_000);
      }
    } finally {
      await h.close();
    }
  });

  test("--plan-json that is broken, a directory or not a plan is named, before anything is asked", async () => {
    const broken = path.join(dir, "plan.json");
    fs.writeFileSync(broken, '{"output_changes": ');
    const flags = ["--platform", "sandbox", "--no-postmark", "--context-file", path.join(dir, "absent.json")];
    const b = await runBin(["verify", "Alpha002", "dev", "--plan-json", broken, ...flags]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(
      new RegExp(`^Error: --plan-json ${broken.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is not valid JSON \\(.+\\)\\nNext: pass the output of \`terraform show -json <planfile>\` for this stack\\n$`),
    );
    const d = await runBin(["verify", "Alpha002", "dev", "--plan-json", dir, ...flags]);
    expect(d.stderr).toContain(`Error: --plan-json ${dir} is a directory, not a file`);
    expect(d.stderr).not.toContain("EISDIR");
    fs.writeFileSync(broken, "[1, 2]");
    const a = await runBin(["verify", "Alpha002", "dev", "--plan-json", broken, ...flags]);
    expect(a.stderr).toContain(`Error: --plan-json ${broken} is not a Terraform plan in JSON`);
  });
});

function runNode(argv: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, argv, { cwd: REPO_ROOT, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128, stderr });
    });
  });
}
