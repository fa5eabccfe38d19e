/**
 * `bin/arda-mail register` (a real process, compiled dist) against a Postmark that misbehaves on
 * loopback — the sandbox's `answer` faults send any status, body and headers (issue 10, item 3).
 * Every case: one clear message naming Postmark's unexpected answer, a non-zero exit, the context
 * file untouched, no canary anywhere — and never a POST /domains after a list that could not be read.
 * Needs `npm run build`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../../platform/load";
import type { FaultSpec } from "../../sandbox/postmark/faults";
import { CANARY_TOKEN, harnessPerTest, runBin } from "../../testing/cli";

if (!fs.existsSync(path.join(REPO_ROOT, "dist", "cli", "commands", "register.js"))) throw new Error("these tests need the compiled CLI: run `npm run build` first");

const DOMAIN = "dev.ardamails.com";
const summary = (id: number, name: string) => ({ ID: id, Name: name, SPFVerified: false, DKIMVerified: false, WeakDKIM: false, ReturnPathDomainVerified: false });
const details = (id: number, name: string) => ({
  ...summary(id, name),
  SPFHost: name,
  SPFTextValue: "v=spf1 a mx include:spf.mtasv.net ~all",
  DKIMHost: "",
  DKIMTextValue: "",
  DKIMPendingHost: `20260526234343pm._domainkey.${name}`,
  DKIMPendingTextValue: "k=rsa;p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC",
  DKIMRevokedHost: "",
  DKIMRevokedTextValue: "",
  SafeToRemoveRevokedKeyFromDNS: false,
  DKIMUpdateStatus: "Pending",
  ReturnPathDomain: `pm-bounces.${name}`,
  ReturnPathDomainCNAMEValue: "pm.mtasv.net",
});

describe("bin/arda-mail register against a misbehaving Postmark", () => {
  const h = harnessPerTest();

  const register = (extra: string[] = []) => runBin(["register", "Alpha002", "dev", ...h.flags, "--postmark-retries", "2", "--postmark-timeout", "2", ...extra]);
  const answer = (spec: Omit<FaultSpec, "kind">) => h.sandbox.admin.injectFault({ kind: "answer", count: 1, ...spec });
  const listAnswer = (body: string, count = 1) => answer({ method: "GET", pathPrefix: "/domains", body, count });
  const requests = async (method: string) => (await h.sandbox.admin.requests()).filter((r) => r.method === method && r.path.startsWith("/domains"));

  /** What every case shares: exit 1, the message, a Next line, nothing written, no secret shown. */
  const expectRefused = (o: { code: number; stdout: string; stderr: string }, ...parts: string[]): void => {
    expect(o.code).toBe(1);
    for (const p of parts) expect(o.stderr).toContain(p);
    expect(o.stderr).toContain("Next: ");
    expect(o.stderr).not.toMatch(/Cannot read properties|TypeError|at .*\.js:\d+/);
    expect(o.stdout + o.stderr).not.toContain(CANARY_TOKEN);
    expect(fs.readFileSync(h.contextFile, "utf8")).toBe(h.before);
  };
  const expectNoCreate = async () => expect(await requests("POST")).toEqual([]);

  test('a list whose TotalCount is "many": one request, refused — not 166,086 in a loop', async () => {
    await listAnswer(JSON.stringify({ TotalCount: "many", Domains: [summary(7, "other.example.com")] }), 100_000);
    const started = Date.now();
    const o = await register();
    expectRefused(o, "Postmark GET /domains gave an unexpected answer: HTTP 200, TotalCount: Invalid input: expected number, received string", 'it began "{\\"TotalCount\\":\\"many\\"');
    expect(o.stderr).toContain("check that --postmark-url (POSTMARK_API_URL) is Postmark's API");
    expect(await requests("GET")).toHaveLength(1);
    await expectNoCreate();
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  test.each([
    ["{}", "TotalCount: Invalid input: expected number, received undefined; Domains: Invalid input: expected array, received undefined"],
    ['{"Domains":null}', "TotalCount: Invalid input: expected number, received undefined; Domains: Invalid input: expected array, received null"],
    ['{"TotalCount":0,"Domains":null}', "Domains: Invalid input: expected array, received null"],
    ["[]", "(the answer): Invalid input: expected object, received array"],
    ["null", "(the answer): Invalid input: expected object, received null"],
    ["<html>Sign in to continue</html>", 'HTTP 200, not JSON; it began "<html>Sign in to continue</html>"'],
    ["", "HTTP 200, an empty body; it began (an empty body)"],
  ])('a list answered %s is an error, not "no domains": no POST /domains follows', async (body, problem) => {
    await listAnswer(body);
    const o = await register();
    expectRefused(o, `Postmark GET /domains gave an unexpected answer: ${problem.startsWith("HTTP") ? "" : "HTTP 200, "}${problem}`);
    expect(o.stderr).not.toContain("created");
    await expectNoCreate();
  });

  test("a list item without Name is named, not a crash reading toLowerCase", async () => {
    const { Name: _n, ...noName } = summary(5, "x.example.com");
    await listAnswer(JSON.stringify({ TotalCount: 1, Domains: [noName] }));
    expectRefused(await register(), "Domains.0.Name: Invalid input: expected string, received undefined");
    await expectNoCreate();
  });

  test("paging is bounded by what TotalCount promised: a list that never ends is refused after ceil(TotalCount/500)+1 pages", async () => {
    await listAnswer(JSON.stringify({ TotalCount: 1000, Domains: [summary(9, "same.example.com")] }), 100_000);
    const o = await register();
    expectRefused(o, "Postmark GET /domains gave an unexpected answer: 3 pages and 3 objects without reaching the end, although its first page said TotalCount 1000");
    expect(await requests("GET")).toHaveLength(3);
    await expectNoCreate();
  });

  test.each([
    ["null", "(the answer): Invalid input: expected object, received null"],
    ["[]", "(the answer): Invalid input: expected object, received array"],
    ['{"ID":"12","Name":"dev.ardamails.com"}', "ID: Invalid input: expected number, received string"],
  ])("a create answered %s: refused, sent once, nothing written", async (body, problem) => {
    await answer({ method: "POST", pathPrefix: "/domains", body });
    const o = await register();
    expectRefused(o, `Postmark POST /domains gave an unexpected answer: HTTP 200, ${problem}`);
    expect(o.stderr).not.toContain("ID undefined");
    expect(o.stderr).toContain("a create that may have landed is found by the next run's listing");
    expect(await requests("POST")).toHaveLength(1);
  });

  test("a create answered with another domain never reaches the context", async () => {
    await answer({ method: "POST", pathPrefix: "/domains", body: JSON.stringify(details(4242, "evil.example.com")) });
    const o = await register(["--json"]);
    expectRefused(o, `Postmark POST /domains gave an unexpected answer: the request for domain "${DOMAIN}" was answered with domain "evil.example.com" (ID 4242)`);
    expect(JSON.parse(o.stdout).error.postmark).toEqual({ kind: "unexpected_answer", status: 200 });
    expect(fs.readFileSync(h.contextFile, "utf8")).not.toContain("evil.example.com");
  });

  test('a 302 gets its own advice (never followed, not "rejected the request\'s fields"), and is not retried', async () => {
    await answer({ method: "GET", pathPrefix: "/domains", status: 302, headers: { Location: "https://login.example.com/portal" }, body: "" });
    const o = await register();
    expectRefused(o, 'Postmark GET /domains answered HTTP 302, a redirect to "https://login.example.com/portal"', "the client never follows a redirect (it would carry the account token there)");
    expect(o.stderr).not.toContain("rejected the request's fields");
    expect(await requests("GET")).toHaveLength(1);
    await expectNoCreate();
  });

  test("an unexpected answer that echoes the token or a token-shaped value shows neither", async () => {
    const serverToken = "0f8e1c2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b";
    await listAnswer(JSON.stringify({ echo: CANARY_TOKEN, ApiTokens: [serverToken] }));
    const o = await register();
    expectRefused(o, "Postmark GET /domains gave an unexpected answer", "<redacted>");
    expect(o.stderr).not.toContain(serverToken);
  });

  test.each([
    ["a trailing newline", `${CANARY_TOKEN}\n`, `a newline (character ${CANARY_TOKEN.length + 1} of ${CANARY_TOKEN.length + 1})`],
    ["a carriage return inside", `${CANARY_TOKEN.slice(0, 10)}\r${CANARY_TOKEN.slice(10)}`, `a carriage return (character 11 of ${CANARY_TOKEN.length + 1})`],
    ["a space", ` ${CANARY_TOKEN}`, `a space (character 1 of ${CANARY_TOKEN.length + 1})`],
  ])("a token with %s is reported as such at once, with nothing sent", async (_what, token, said) => {
    const map = JSON.parse(fs.readFileSync(h.secretsFile, "utf8")) as Record<string, string>;
    for (const k of Object.keys(map)) map[k] = token;
    fs.writeFileSync(h.secretsFile, JSON.stringify(map));
    const started = Date.now();
    const o = await runBin(["register", "Alpha002", "dev", ...h.flags]); // default retries: none may happen
    expectRefused(o, `the Postmark account token contains ${said}, which an HTTP header cannot carry; nothing was sent to Postmark`, "store the token again without it");
    expect(o.stderr).not.toContain("check network access");
    expect(o.stderr).not.toContain("retry");
    expect(await h.sandbox.admin.requests()).toEqual([]);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  test("--help documents the client's timeout and retry flags", async () => {
    const o = await runBin(["register", "--help"]);
    expect(o.code).toBe(0);
    expect(o.stdout.replace(/\s+/g, " ")).toContain("--postmark-retries=<n> retries of a Postmark call after a rate limit, server error, timeout or dropped connection (default 5;");
    expect(o.stdout.replace(/\s+/g, " ")).toContain("--postmark-timeout=<seconds> seconds to wait for each Postmark answer before it counts as a timeout (default 30)");
  });

  test("--postmark-timeout is the client timeout; a bad value is refused before anything runs", async () => {
    await h.sandbox.admin.injectFault({ kind: "delay", delayMs: 1200, count: 1 });
    const slow = await runBin(["register", "Alpha002", "dev", ...h.flags, "--postmark-timeout", "0.4", "--postmark-retries", "0"]);
    expectRefused(slow, "no answer within 400 ms", "raise the client timeout");
    for (const bad of ["0", "-1", "abc", "601"]) {
      const o = await runBin(["register", "Alpha002", "dev", ...h.flags, `--postmark-timeout=${bad}`]);
      expect(o.code).toBe(2);
      expect(o.stderr).toContain(`--postmark-timeout must be a number of seconds above 0 and at most 600 (e.g. 30 or 2.5), got "${bad}"`);
    }
    const many = await runBin(["register", "Alpha002", "dev", ...h.flags, "--postmark-retries", "11"]);
    expect(many.code).toBe(2);
    expect(many.stderr).toMatch(/postmark-retries/);
  });
});
