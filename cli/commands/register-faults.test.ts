import * as fs from "node:fs";
import * as path from "node:path";
import { readContext } from "../../platform/mail-context";
import { CANARY_TOKEN, filesText, harnessPerTest, runInProcess, type Outcome } from "../../testing/cli";
import Register from "./register";
import type { RegisterResult } from "../../flows/register";

/** Few retries and a short timeout, through the documented flags, so fault tests stay fast. */
const POSTMARK_FLAGS = ["--postmark-retries", "2", "--postmark-timeout", "0.7"];

describe("arda-mail register: bad input and faults", () => {
  const h = harnessPerTest();

  /** Failed: non-zero, message shown, context file untouched, no temp files, canary nowhere. */
  const expectFailure = (o: Outcome, message: string | RegExp): void => {
    expect(o.code).not.toBe(0);
    expect(o.stderr).toMatch(typeof message === "string" ? new RegExp(message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")) : message);
    expect(o.stderr).toContain("Next: ");
    expect(fs.readFileSync(h.contextFile, "utf8")).toBe(h.before);
    expect(fs.readdirSync(h.dir).sort()).toEqual(["cdktf.json", "secrets.json"]);
    expect(o.stdout + o.stderr).not.toContain(CANARY_TOKEN);
    expect(filesText(h.dir, [h.secretsFile])).not.toContain(CANARY_TOKEN);
  };
  const run = (args: string[]): Promise<Outcome<RegisterResult>> => runInProcess<RegisterResult>(Register, [...args, ...h.flags, ...POSTMARK_FLAGS]);
  const domainCount = async (): Promise<number> => (await h.sandbox.admin.state()).domains.length;

  test.each([
    [["Alpha009", "dev"], 'unknown infrastructure "Alpha009" (known: Root, Alpha001, Alpha002)'],
    [["Alpha002", "qa"], 'unknown partition "qa" (known: dev, stage, demo, prod)'],
    [["Alpha001", "arda"], '"arda" is a reserved name, not a partition'],
    [["Alpha001", "kyle"], 'partition "kyle" is suspended: it is not provisioned'],
    [["Alpha001", "dev"], 'partition "dev" lives on Alpha002, not Alpha001'],
  ])("refuses %j before touching Postmark", async (args, message) => {
    const o = await run(args);
    expectFailure(o, message);
    expect(await domainCount()).toBe(0);
  });

  test("a token that does not resolve", async () => {
    fs.writeFileSync(h.secretsFile, "{}");
    const o = await run(["Alpha002", "dev"]);
    expectFailure(o, "cannot resolve the Postmark account token of PostmarkNonProd (secret op://Arda-DevOAM/Postmark/credential does not resolve");
  });

  test("Postmark 401 (wrong token): message, no canary, --json error on stdout", async () => {
    fs.writeFileSync(h.secretsFile, JSON.stringify({ "op://Arda-DevOAM/Postmark/credential": "wrong-token-but-also-secret-123" }));
    const o = await run(["Alpha002", "dev", "--json"]);
    expectFailure(o, "Postmark rejected the account token (HTTP 401");
    expect(o.stdout + o.stderr).not.toContain("wrong-token-but-also-secret-123");
    expect(JSON.parse(o.stdout).error.message).toContain("HTTP 401");
  });

  test("Postmark 422 on create that is not a name conflict", async () => {
    await h.sandbox.admin.injectFault({ kind: "status", status: 422, errorCode: 511, method: "POST", pathPrefix: "/domains", count: 1 });
    const o = await run(["Alpha002", "dev"]);
    expectFailure(o, "HTTP 422 (ErrorCode 511)");
  });

  test("a burst of 429s is retried through", async () => {
    await h.sandbox.admin.injectFault({ kind: "status", status: 429, count: 2 });
    const o = await run(["Alpha002", "dev"]);
    expect(o.code).toBe(0);
    expect(o.stderr).toMatch(/rate_limited \(HTTP 429\), retry 1/);
    expect(await domainCount()).toBe(1);
  });

  test("429s beyond the retry budget fail cleanly", async () => {
    await h.sandbox.admin.injectFault({ kind: "status", status: 429, count: 10 });
    expectFailure(await run(["Alpha002", "dev"]), "HTTP 429");
  });

  test("persistent 5xx fails with the status; a transient 5xx after the create landed does not duplicate", async () => {
    await h.sandbox.admin.injectFault({ kind: "status", status: 503, count: 10 });
    expectFailure(await run(["Alpha002", "dev"]), "HTTP 503");
    await h.sandbox.admin.clearFaults();
    await h.sandbox.admin.injectFault({ kind: "status", status: 500, method: "POST", pathPrefix: "/domains", phase: "after", count: 1 });
    const o = await run(["Alpha002", "dev"]);
    expect(o.code).toBe(0);
    expect(await domainCount()).toBe(1);
  });

  test("timeouts and dropped connections", async () => {
    await h.sandbox.admin.injectFault({ kind: "delay", delayMs: 2000, count: 10 });
    expectFailure(await run(["Alpha002", "dev"]), /no answer within 700 ms/);
    await h.sandbox.admin.clearFaults();
    await h.sandbox.admin.injectFault({ kind: "drop", method: "POST", pathPrefix: "/domains", phase: "after", count: 1 });
    const o = await run(["Alpha002", "dev"]);
    expect(o.code).toBe(0);
    expect(await domainCount()).toBe(1);
    h.before = fs.readFileSync(h.contextFile, "utf8");
    await h.sandbox.admin.injectFault({ kind: "drop", count: 10 });
    expectFailure(await run(["Alpha001", "prod"]), /ECONNRESET|socket hang up|network/);
  });

  test("more than 500 existing domains: pages through and finds the one on page 2 instead of duplicating", async () => {
    await h.sandbox.admin.seedDomains(700, "tenant", "example.net");
    const first = await run(["Alpha002", "dev"]);
    expect(first.code).toBe(0);
    await h.sandbox.admin.seedDomains(10, "late", "example.org");
    fs.writeFileSync(h.contextFile, h.before);
    const again = await run(["Alpha002", "dev"]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("already exists");
    expect(await domainCount()).toBe(711);
  });

  test("a domain left by an earlier failed run (no Return-Path) is fetched and completed, not duplicated", async () => {
    const client = new (await import("../../lib/postmark/client")).PostmarkClient({ accountToken: CANARY_TOKEN, apiUrl: h.sandbox.url });
    const leftover = await client.createDomain({ Name: "dev.ardamails.com", ReturnPathDomain: "bounces.dev.ardamails.com" });
    const o = await run(["Alpha002", "dev", "--json"]);
    expect(o.code).toBe(0);
    expect(JSON.parse(o.stdout)).toMatchObject({ postmark: "found", context: "written", entry: { domainId: leftover.ID, returnPathDomain: "pm-bounces.dev.ardamails.com" } });
    expect(o.stderr).toContain("set Return-Path pm-bounces.dev.ardamails.com");
    expect(await domainCount()).toBe(1);
  });

  test("a DKIM value differing from the committed context is reported and only written with --update", async () => {
    expect((await run(["Alpha002", "dev"])).code).toBe(0);
    const ctx = JSON.parse(fs.readFileSync(h.contextFile, "utf8"));
    ctx.context["partitionMail:Alpha002:dev"].dkimPublicKey = "k=rsa;p=OLDKEYOLDKEY";
    fs.writeFileSync(h.contextFile, JSON.stringify(ctx, null, 2) + "\n");
    h.before = fs.readFileSync(h.contextFile, "utf8");
    const o = await run(["Alpha002", "dev"]);
    expectFailure(o, "differ from the committed partitionMail:Alpha002:dev");
    expect(o.stderr).toContain("dkimPublicKey: committed k=rsa;p=OLDKEYOLDKEY…, Postmark k=rsa;p=");
    expect(o.stderr).toContain("re-run with --update");
    const u = await run(["Alpha002", "dev", "--update"]);
    expect(u.code).toBe(0);
    expect((readContext(h.contextFile)["partitionMail:Alpha002:dev"] as { dkimPublicKey: string }).dkimPublicKey).not.toContain("OLDKEY");
  });

  test("cdktf.json unreachable: refused before Postmark is touched, clear message, nothing written", async () => {
    // Root ignores file modes, so make the write itself impossible: the context file's directory is a file.
    const blocked = path.join(h.dir, "not-a-dir");
    fs.writeFileSync(blocked, "");
    const o = await runInProcess(Register, ["Alpha002", "dev", ...POSTMARK_FLAGS, ...h.flags.slice(0, -1), path.join(blocked, "cdktf.json")]);
    expect(o.code).not.toBe(0);
    expect(o.stderr).toMatch(/not-a-dir\/cdktf\.json: cannot be read or created \(ENOTDIR: a parent path is a file, not a directory\)/);
    expect(fs.readFileSync(blocked, "utf8")).toBe("");
    expect((await h.sandbox.admin.state()).domains).toEqual([]);
    expect(o.stdout + o.stderr).not.toContain(CANARY_TOKEN);
  });
});
