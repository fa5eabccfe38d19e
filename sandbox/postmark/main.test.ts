/**
 * `npm run sandbox` as a real child process (main.ts bundled with esbuild, as dist would run it):
 * the --json stdout contract, the foreground lifecycle, and every bad flag's message.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildSync } from "esbuild";
import { PostmarkClient } from "../../lib/postmark/client";
import { parseSandboxArgs } from "./main";

let mainJs: string;

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), "pm-sandbox-main-"));
  mainJs = join(dir, "main.js");
  buildSync({ entryPoints: [join(__dirname, "main.ts")], bundle: true, platform: "node", target: "node20", outfile: mainJs, logLevel: "silent" });
});

test("--json: exactly one JSON line on stdout once listening; serves the API; SIGTERM stops it cleanly", async () => {
  const child = spawn(process.execPath, [mainJs, "--port", "0", "--json", "--token", "child-token-abcdef12"], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  const firstLine = await new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      stdout += c;
      if (stdout.includes("\n")) resolve(stdout.split("\n")[0]);
    });
    child.once("exit", (code) => reject(new Error(`sandbox exited early (${String(code)}): ${stderr}`)));
  });
  const info = JSON.parse(firstLine) as { url: string; accountToken: string };
  expect(Object.keys(info).sort()).toEqual(["accountToken", "url"]);
  expect(info.accountToken).toBe("child-token-abcdef12");
  expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(stderr).toContain(`Postmark sandbox listening on ${info.url}`);

  const client = new PostmarkClient({ accountToken: info.accountToken, apiUrl: info.url });
  const d = await client.createDomain({ Name: "child.example.test" });
  expect((await client.getDomain(d.ID)).Name).toBe("child.example.test");

  const exit = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  child.kill("SIGTERM");
  expect(await exit).toBe(0);
  expect(stdout).toBe(`${firstLine}\n`); // nothing else ever reached stdout
});

test("without --token, a fresh random UUID per start", () => {
  const a = parseSandboxArgs([]);
  expect(a.options.accountToken).toBeUndefined(); // startSandbox draws randomUUID()
  expect(a.json).toBe(false);
});

test.each([
  [["--port", "abc"], '--port must be 0..65535 (0 = any free port), got "abc"'],
  [["--port", "70000"], '--port must be 0..65535 (0 = any free port), got "70000"'],
  [["--dkim-bits", "512"], '--dkim-bits must be 1024 or 2048, got "512"'],
  [["--token", "short"], "--token must be at least 8 characters"],
  [["--dkim-verify-after", "0"], '--dkim-verify-after must be a positive integer, got "0"'],
  [["--bogus"], "Unknown option '--bogus'"],
])("bad flags %j exit 2 with: %s", (args, message) => {
  expect(() => parseSandboxArgs(args)).toThrow(message);
  const r = spawnSync(process.execPath, [mainJs, ...args], { encoding: "utf8", timeout: 10_000 });
  expect(r.status).toBe(2);
  expect(r.stdout).toBe("");
  expect(r.stderr).toContain(message);
  expect(r.stderr).toContain("usage: npm run sandbox --");
});

test("a bad --dns-resolver address stops the start with exit 1 and says why", () => {
  const r = spawnSync(process.execPath, [mainJs, "--dns-resolver", "localhost"], { encoding: "utf8", timeout: 10_000 });
  expect(r.status).toBe(1);
  expect(r.stdout).toBe("");
  expect(r.stderr).toContain('--dns-resolver "localhost" is not ip:port (e.g. 127.0.0.1:5353)');
});
