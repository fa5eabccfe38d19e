/**
 * `bin/arda-mail` as a real process (compiled dist, manifest) against the sandbox on loopback:
 * help, a full register, a hard crash between the Postmark call and the context write, and
 * concurrent registers into one context file. Needs `npm run build` (dist/ and oclif.manifest.json).
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../platform/load";
import { readContext } from "../platform/mail-context";
import { BIN, CANARY_TOKEN, filesText, runBin, runBinAsOperator, startHarness, type Harness } from "../testing/cli";

const built = fs.existsSync(path.join(REPO_ROOT, "dist", "cli", "commands", "register.js"));
if (!built) throw new Error("bin/arda-mail tests need the compiled CLI: run `npm run build` first");

// Every command the build put in the manifest, so a new command without an example fails here.
const COMMANDS: string[] = Object.keys(
  (JSON.parse(require("node:fs").readFileSync(require("node:path").join(__dirname, "..", "oclif.manifest.json"), "utf8")) as { commands: Record<string, unknown> }).commands,
)
  .map((id) => id.replace(/:/g, " "))
  .sort((a, b) => (a === "register" ? -1 : b === "register" ? 1 : a.localeCompare(b)));

describe("bin/arda-mail (real process)", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  test("--help lists the commands; every command's --help has an example", async () => {
    const top = await runBin(["--help"]);
    expect(top.code).toBe(0);
    for (const t of ["register", "keys", "corporate", "backend", "sandbox"]) expect(top.stdout).toContain(t);
    const helps = await Promise.all(COMMANDS.map((c) => runBin([...c.split(" "), "--help"])));
    helps.forEach((r, i) => {
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("EXAMPLES");
      expect(r.stdout).toContain(`$ arda-mail ${COMMANDS[i]}`);
    });
    // The fast path prints exactly what oclif renders (at 80 columns).
    const direct = await runBin(["register", "--help"], { ARDA_MAIL_NO_HELP_CACHE: "1", COLUMNS: "80" });
    expect(direct.code).toBe(0);
    expect(helps[0].stdout).toBe(direct.stdout);
  });

  test("register as a process: JSON on stdout only, progress on stderr, canary nowhere; bad input exits non-zero", async () => {
    const ok = await runBin(["register", "Alpha002", "dev", ...h.flags, "--json"]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ context: "written", domain: "dev.ardamails.com" });
    expect(ok.stderr).toContain("created dev.ardamails.com");
    const corp = await runBin(["register", "corporate", ...h.flags]);
    expect(corp.code).toBe(0);
    expect(Object.keys(readContext(h.contextFile))).toEqual(["other:key", "partitionMail:Alpha002:dev", "corporateMail:Root:arda"]);
    const bad = await runBin(["register", "Alpha001", "kyle", ...h.flags]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Error: partition "kyle" is suspended');
    const missing = await runBin(["register", "Alpha002"]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/Missing 1 required arg/);
    for (const r of [ok, corp, bad]) expect(r.stdout + r.stderr).not.toContain(CANARY_TOKEN);
    expect(filesText(h.dir, [h.secretsFile])).not.toContain(CANARY_TOKEN);
  });

  test("a crash between the Postmark call and the context write leaves the file intact; the re-run recovers without a duplicate", async () => {
    const before = fs.readFileSync(h.contextFile, "utf8");
    // Postmark creates the domain but its answer is held: the process dies (SIGKILL, no clean-up)
    // while waiting for it — after the Postmark change, before any context write.
    await h.sandbox.admin.injectFault({ kind: "delay", delayMs: 3000, phase: "after", method: "POST", pathPrefix: "/domains" });
    const child = spawn(process.execPath, [BIN, "register", "Alpha002", "dev", ...h.flags], { cwd: REPO_ROOT, stdio: "ignore" });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
    const deadline = Date.now() + 15_000;
    while ((await h.sandbox.admin.state()).domains.length === 0) {
      if (Date.now() > deadline) throw new Error("register never reached Postmark's create");
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    expect(fs.readFileSync(h.contextFile, "utf8")).toBe(before);
    expect(fs.readdirSync(h.dir).sort()).toEqual(["cdktf.json", "secrets.json"]);
    expect((await h.sandbox.admin.state()).domains).toHaveLength(1);
    const rerun = await runBin(["register", "Alpha002", "dev", ...h.flags]);
    expect(rerun.code).toBe(0);
    expect(rerun.stderr).toContain("already exists");
    expect(rerun.stderr).toContain("wrote partitionMail:Alpha002:dev");
    expect((await h.sandbox.admin.state()).domains).toHaveLength(1);
  });

  test("four concurrent registers into one context file: every write survives; a stale lock from a dead process is taken over", async () => {
    fs.writeFileSync(`${h.contextFile}.lock`, JSON.stringify({ pid: 999999, at: "2020-01-01T00:00:00Z" }));
    const runs = await Promise.all(
      [
        ["Alpha002", "dev"],
        ["Alpha002", "stage"],
        ["Alpha001", "demo"],
        ["Alpha001", "prod"],
      ].map((a) => runBin(["register", ...a, ...h.flags])),
    );
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    expect(Object.keys(readContext(h.contextFile)).sort()).toEqual([
      "other:key",
      "partitionMail:Alpha001:demo",
      "partitionMail:Alpha001:prod",
      "partitionMail:Alpha002:dev",
      "partitionMail:Alpha002:stage",
    ]);
    expect(fs.existsSync(`${h.contextFile}.lock`)).toBe(false);
  });

  test("`arda-mail sandbox` serves the sandbox on loopback, seeds a secrets file, and a register runs against it; SIGINT stops it", async () => {
    const secrets = `${h.dir}/sandbox.secrets.json`;
    const child = spawn(process.execPath, [BIN, "sandbox", "--port", "0", "--json", "--write-secrets", secrets], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const line = await new Promise<string>((resolve, reject) => {
      let buf = "";
      child.stdout.setEncoding("utf8").on("data", (c: string) => {
        buf += c;
        if (buf.includes("\n")) resolve(buf.split("\n")[0]);
      });
      child.on("exit", () => reject(new Error(`sandbox exited early: ${stderr}`)));
    });
    const { url } = JSON.parse(line) as { url: string };
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const r = await runBin(["register", "Alpha001", "demo", "--secrets", `file:${secrets}`, "--postmark-url", url, "--context-file", h.contextFile]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("created demo.ardamails.com");
    const code = await new Promise<number | null>((resolve) => {
      child.on("exit", (c) => resolve(c));
      child.kill("SIGINT");
    });
    expect(code).toBe(0);
    expect(stderr).toContain("sandbox stopped");
  });

  test("cdktf.json not writable by the operator (EACCES): clear message and next step, file intact; writable again → the re-run recovers", async () => {
    fs.chmodSync(h.contextFile, 0o444);
    fs.chmodSync(h.dir, 0o555);
    const before = fs.readFileSync(h.contextFile, "utf8");
    const o = await runBinAsOperator(["register", "Alpha002", "dev", ...h.flags]);
    expect(o.code).toBe(1);
    expect(o.stderr).toMatch(
      /Postmark domain dev\.ardamails\.com \(ID \d+\) is ready, but partitionMail:Alpha002:dev could not be written: cannot write .*cdktf\.json\.lock: it is not accessible: permission denied \(EACCES\)/,
    );
    expect(o.stderr).toContain("Next: make ");
    expect(fs.readFileSync(h.contextFile, "utf8")).toBe(before);
    expect(fs.readdirSync(h.dir).sort()).toEqual(["cdktf.json", "secrets.json"]);
    expect(o.stdout + o.stderr).not.toContain(CANARY_TOKEN);
    fs.chmodSync(h.dir, 0o700);
    fs.chmodSync(h.contextFile, 0o644);
    const again = await runBin(["register", "Alpha002", "dev", ...h.flags]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("already exists");
    expect((await h.sandbox.admin.state()).domains).toHaveLength(1);
  });
});
