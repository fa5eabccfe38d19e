/**
 * The Postmark client against the REAL sandbox HTTP server on loopback (no mocks): paging, errors,
 * retries under injected faults, the no-duplicate create protocol, DKIM verify/rotate, servers.
 */
import { inspect } from "node:util";
import { createServer } from "node:net";
import { startSandbox, RunningSandbox } from "../../sandbox/postmark/server";
import { PostmarkApiError, PostmarkClient, RetryInfo, isAlreadyExists, isNotFound } from "./client";

const FAST = { limit: 4, baseDelayMs: 5, maxDelayMs: 20 };
let sb: RunningSandbox;
let retries: RetryInfo[];
let client: PostmarkClient;

function newClient(over: Partial<ConstructorParameters<typeof PostmarkClient>[0]> = {}): PostmarkClient {
  return new PostmarkClient({ accountToken: sb.accountToken, apiUrl: sb.url, timeoutMs: 2000, retry: FAST, onRetry: (i) => retries.push(i), ...over });
}

async function caught(p: Promise<unknown>): Promise<PostmarkApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof PostmarkApiError) return e;
    throw e;
  }
  throw new Error("expected a PostmarkApiError, the call succeeded");
}

/** Every way an error could be shown: none may contain the secret. */
function expectNoSecret(e: unknown, secret: string): void {
  expect(String(e)).not.toContain(secret);
  expect(JSON.stringify(e)).not.toContain(secret);
  expect(inspect(e, { depth: 10 })).not.toContain(secret);
  expect((e as Error).stack ?? "").not.toContain(secret);
}

/** POSTs to `path` that the sandbox received: all of them, and those no fault interfered with. */
async function posts(path: string): Promise<{ all: number; clean: number }> {
  const p = (await sb.admin.requests()).filter((r) => r.method === "POST" && r.path === path);
  return { all: p.length, clean: p.filter((r) => !r.fault).length };
}

beforeAll(async () => {
  sb = await startSandbox({ accountToken: "sandbox-token-for-client-tests-0001" });
});
afterAll(async () => {
  await sb.close();
});
beforeEach(async () => {
  await sb.admin.reset();
  retries = [];
  client = newClient();
});

describe("paging and lookup", () => {
  test("listDomains walks every page (count=500&offset) across 1,203 domains", async () => {
    await sb.admin.seedDomains(1203, "page", "example.test");
    await sb.admin.clearRequests();
    const all = await client.listDomains();
    expect(all).toHaveLength(1203);
    expect(new Set(all.map((d) => d.ID)).size).toBe(1203);
    const gets = (await sb.admin.requests()).filter((r) => r.path === "/domains");
    expect(gets).toHaveLength(3);
    const found = await client.findDomainByName("PAGE1150.example.test");
    expect(found?.Name).toBe("page1150.example.test");
    expect(found?.DKIMPendingTextValue).toMatch(/^k=rsa;p=[A-Za-z0-9+/]+=*$/);
    expect(await client.findDomainByName("absent.example.test")).toBeUndefined();
  });

  test("an unknown ID is not-found (422 ErrorCode 510 / 601), and the message says what to do", async () => {
    const e = await caught(client.getDomain(424242));
    expect(isNotFound(e)).toBe(true);
    expect(e.kind).toBe("not_found");
    expect(e.errorCode).toBe(510);
    expect(e.message).toContain("GET /domains/424242");
    expect(e.message).toContain("refresh state or re-create it");
    const s = await caught(client.getServer(424242));
    expect(isNotFound(s)).toBe(true);
    expect(s.errorCode).toBe(601);
    expect(retries).toHaveLength(0);
  });

  test("an ID that is not a positive integer is refused before any request", async () => {
    await expect(client.getDomain(-1)).rejects.toThrow("Postmark object ID must be a positive integer, got -1");
    await expect(client.deleteDomain(1.5)).rejects.toThrow("got 1.5");
    expect(await sb.admin.requests()).toHaveLength(0);
  });
});

describe("authentication errors never carry the token", () => {
  test("401 ErrorCode 10: says check the token reference, without the (canary) token", async () => {
    const canary = "CANARY-account-token-7f3e9a1b2c";
    const bad = newClient({ accountToken: canary });
    const e = await caught(bad.listDomains());
    expect(e.status).toBe(401);
    expect(e.errorCode).toBe(10);
    expect(e.kind).toBe("unauthorized");
    expect(e.message).toContain("Postmark rejected the account token (HTTP 401, ErrorCode 10)");
    expect(e.message).toContain("check the token reference");
    expect(retries).toHaveLength(0); // a 401 is not retried
    expectNoSecret(e, canary);
    expect(JSON.stringify(bad)).not.toContain(canary);
    expect(inspect(bad, { depth: 10, showHidden: true })).not.toContain(canary);
  });

  test("a network error message does not carry the token either", async () => {
    const canary = "CANARY-account-token-network-55";
    const port = await closedPort();
    const c = new PostmarkClient({ accountToken: canary, apiUrl: `http://127.0.0.1:${port}`, retry: { limit: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    const e = await caught(c.listDomains());
    expect(e.kind).toBe("network");
    expect(e.networkCode).toBe("ECONNREFUSED");
    expect(e.message).toContain("check network access to the API URL");
    expectNoSecret(e, canary);
  });

  test("an empty token or a bad API URL is refused at construction", () => {
    expect(() => new PostmarkClient({ accountToken: "" })).toThrow("accountToken is empty");
    expect(() => new PostmarkClient({ accountToken: "t".repeat(20), apiUrl: "api.postmarkapp.com" })).toThrow(
      'Postmark API URL "api.postmarkapp.com" is not a URL (expected e.g. https://api.postmarkapp.com',
    );
    expect(() => new PostmarkClient({ accountToken: "t".repeat(20), apiUrl: "ftp://x.test" })).toThrow("must be http(s)://host[:port][/path]");
    expect(() => new PostmarkClient({ accountToken: "t".repeat(20), apiUrl: "https://u:pw@x.test/" })).toThrow("without credentials, query or fragment");
    expect(new PostmarkClient({ accountToken: "t".repeat(20), apiUrl: "http://127.0.0.1:1/" }).toJSON().apiUrl).toBe("http://127.0.0.1:1");
  });
});

describe("create: duplicates, invalid fields", () => {
  test("422 on a duplicate name becomes 'already_exists' carrying the existing ID (adopt path)", async () => {
    const first = await client.createDomain({ Name: "adopt.example.test", ReturnPathDomain: "pm-bounces.adopt.example.test" });
    const e = await caught(client.createDomain({ Name: "adopt.example.test" }));
    expect(e.kind).toBe("already_exists");
    expect(e.status).toBe(422);
    expect(e.existingId).toBe(first.ID);
    expect(isAlreadyExists(e)).toBe(true);
    expect(e.message).toContain(`"adopt.example.test" already exists (ID ${first.ID}`);
    expect(e.message).toContain("adopt it (import)");
    expect(await client.listDomains()).toHaveLength(1);
  });

  test("two concurrent creates of one name: one domain; the loser gets 'already_exists' with the winner's ID", async () => {
    const results = await Promise.allSettled([client.createDomain({ Name: "race.example.test" }), newClient().createDomain({ Name: "race.example.test" })]);
    const ok = results.filter((r): r is PromiseFulfilledResult<Awaited<ReturnType<PostmarkClient["createDomain"]>>> => r.status === "fulfilled");
    const bad = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(ok).toHaveLength(1);
    expect(bad).toHaveLength(1);
    expect((bad[0].reason as PostmarkApiError).existingId).toBe(ok[0].value.ID);
    expect(await client.listDomains()).toHaveLength(1);
  });

  test("a Return-Path outside the domain is 'invalid' with ErrorCode 511 and Postmark's message", async () => {
    const e = await caught(client.createDomain({ Name: "rp.example.test", ReturnPathDomain: "pm-bounces.elsewhere.test" }));
    expect(e.kind).toBe("invalid");
    expect(e.errorCode).toBe(511);
    expect(e.message).toContain("must be a sub-domain of rp.example.test");
    expect(e.message).toContain("fix the input");
    const e2 = await caught(client.createDomain({ Name: "not a domain" }));
    expect(e2.errorCode).toBe(511);
    expect(e2.message).toContain("is not a domain name");
  });

  test("editDomain changes the Return-Path and resets its verification", async () => {
    const d = await client.createDomain({ Name: "edit.example.test" });
    expect(d.ReturnPathDomain).toBe("pm-bounces.edit.example.test");
    await sb.admin.addCname("pm-bounces.edit.example.test", "pm.mtasv.net");
    expect((await client.verifyReturnPath(d.ID)).ReturnPathDomainVerified).toBe(true);
    const e = await client.editDomain(d.ID, { ReturnPathDomain: "bounces.edit.example.test" });
    expect(e.ReturnPathDomain).toBe("bounces.edit.example.test");
    expect(e.ReturnPathDomainVerified).toBe(false);
  });
});

describe("retries under injected faults", () => {
  test("a 429 burst on GET is retried with backoff and succeeds", async () => {
    await client.createDomain({ Name: "burst.example.test" });
    await sb.admin.injectFault({ kind: "status", status: 429, count: 3, method: "GET", pathPrefix: "/domains" });
    expect(await client.listDomains()).toHaveLength(1);
    expect(retries.map((r) => r.kind)).toEqual(["rate_limited", "rate_limited", "rate_limited"]);
    expect(retries.map((r) => r.attempt)).toEqual([1, 2, 3]);
    for (const r of retries) expect(r.delayMs).toBeLessThanOrEqual(FAST.maxDelayMs);
  });

  test("a 429 burst on create is retried (not processed) and creates exactly one domain", async () => {
    await sb.admin.injectFault({ kind: "status", status: 429, count: 2, method: "POST", pathPrefix: "/domains" });
    const d = await client.createDomain({ Name: "burst-create.example.test" });
    expect(d.Name).toBe("burst-create.example.test");
    expect(await posts("/domains")).toEqual({ all: 3, clean: 1 }); // two 429s, then the one that was processed
    expect((await client.listDomains()).filter((x) => x.Name === d.Name)).toHaveLength(1);
    expect(retries.map((r) => r.status)).toEqual([429, 429]);
  });

  test("500 and 503 answers on GET are retried and the call succeeds", async () => {
    const d = await client.createDomain({ Name: "flaky.example.test" });
    await sb.admin.injectFault({ kind: "status", status: 500, count: 2, method: "GET" });
    await sb.admin.injectFault({ kind: "status", status: 503, count: 1, method: "GET" });
    expect((await client.getDomain(d.ID)).Name).toBe("flaky.example.test");
    expect(retries.map((r) => r.status)).toEqual([500, 500, 503]);
  });

  test("persistent 503 gives up after limit+1 attempts with advice", async () => {
    await sb.admin.injectFault({ kind: "status", status: 503, count: 50, method: "GET" });
    const e = await caught(client.listDomains());
    expect(e.kind).toBe("server");
    expect(e.status).toBe(503);
    expect(e.attempts).toBe(FAST.limit + 1);
    expect(e.message).toContain("run again later");
  });

  test("a slow answer past the timeout is retried; a persistently slow Postmark ends in kind 'timeout'", async () => {
    const slow = newClient({ timeoutMs: 150 });
    await slow.createDomain({ Name: "slow.example.test" });
    await sb.admin.injectFault({ kind: "delay", delayMs: 600, count: 1, method: "GET" });
    expect(await slow.listDomains()).toHaveLength(1);
    expect(retries.map((r) => r.kind)).toEqual(["timeout"]);
    await sb.admin.injectFault({ kind: "delay", delayMs: 400, count: 20, method: "GET" });
    const t0 = Date.now();
    const e = await caught(slow.listDomains());
    expect(e.kind).toBe("timeout");
    expect(e.message).toContain("no answer within 150 ms");
    expect(e.message).toContain("raise the client timeout");
    expect(Date.now() - t0).toBeLessThan(5 * 150 + 500);
  });

  test("a slow answer within the timeout just succeeds (no retry)", async () => {
    await sb.admin.injectFault({ kind: "delay", delayMs: 200, count: 1, method: "GET" });
    expect(await client.listDomains()).toEqual([]);
    expect(retries).toHaveLength(0);
  });

  test("dropped connections during GET are retried", async () => {
    await client.createDomain({ Name: "drop-get.example.test" });
    await sb.admin.injectFault({ kind: "drop", count: 2, method: "GET" });
    expect(await client.listDomains()).toHaveLength(1);
    expect(retries.map((r) => r.kind)).toEqual(["network", "network"]);
  });

  test("connection refused on create is retried (provably not sent) and finally reported", async () => {
    const port = await closedPort();
    const c = new PostmarkClient({ accountToken: "x".repeat(20), apiUrl: `http://127.0.0.1:${port}`, retry: FAST, onRetry: (i) => retries.push(i) });
    const e = await caught(c.createDomain({ Name: "refused.example.test" }));
    expect(e.networkCode).toBe("ECONNREFUSED");
    expect(e.attempts).toBe(FAST.limit + 1);
    expect(retries).toHaveLength(FAST.limit);
  });
});

describe("no duplicates after an ambiguous create failure", () => {
  test("connection dropped AFTER Postmark created the domain: found by name, not re-POSTed", async () => {
    await sb.admin.injectFault({ kind: "drop", phase: "after", count: 1, method: "POST", pathPrefix: "/domains" });
    const d = await client.createDomain({ Name: "ambiguous.example.test" });
    expect(d.Name).toBe("ambiguous.example.test");
    expect(d.DKIMPendingTextValue).toMatch(/^k=rsa;p=/);
    expect((await client.listDomains()).filter((x) => x.Name === "ambiguous.example.test")).toHaveLength(1);
    // The one POST was processed, its answer lost in a dropped socket; it was NOT sent again.
    expect(await posts("/domains")).toEqual({ all: 1, clean: 0 });
  });

  test("500 AFTER processing: the created domain is returned, exactly one exists", async () => {
    await sb.admin.injectFault({ kind: "status", status: 500, phase: "after", count: 1, method: "POST", pathPrefix: "/domains" });
    const d = await client.createDomain({ Name: "five-hundred.example.test" });
    expect((await client.listDomains()).map((x) => x.ID)).toEqual([d.ID]);
    expect(await posts("/domains")).toEqual({ all: 1, clean: 0 });
  });

  test("timeout AFTER processing (slow answer): found by name, one domain", async () => {
    const slow = newClient({ timeoutMs: 500 });
    await sb.admin.injectFault({ kind: "delay", delayMs: 900, phase: "after", count: 1, method: "POST", pathPrefix: "/domains" });
    const d = await slow.createDomain({ Name: "slow-create.example.test" });
    expect(d.Name).toBe("slow-create.example.test");
    expect(retries).toHaveLength(0); // found by name: no second POST, no backoff
    expect((await slow.listDomains()).filter((x) => x.Name === d.Name)).toHaveLength(1);
  });

  test("connection dropped BEFORE processing: not found by name, so POSTed again — still one domain", async () => {
    await sb.admin.injectFault({ kind: "drop", phase: "before", count: 1, method: "POST", pathPrefix: "/domains" });
    const d = await client.createDomain({ Name: "retry-create.example.test" });
    expect((await client.listDomains()).map((x) => x.ID)).toEqual([d.ID]);
    expect(await posts("/domains")).toEqual({ all: 2, clean: 1 });
    expect(retries.map((r) => r.kind)).toEqual(["network"]);
  });
});

describe("DKIM and Return-Path verification", () => {
  test("verifyDkim: pending until the TXT is declared, byte-identical; then verified on a later call", async () => {
    const d = await client.createDomain({ Name: "verify.example.test" });
    expect(d.DKIMPendingHost).toMatch(/^\d{14}pm\._domainkey\.verify\.example\.test$/);
    expect(d.DKIMHost).toBe("");
    expect(d.DKIMUpdateStatus).toBe("Pending");
    for (let i = 0; i < 3; i++) {
      const v = await client.verifyDkim(d.ID);
      expect(v.DKIMVerified).toBe(false);
      expect(v.DKIMUpdateStatus).toBe("Pending");
    }
    // A wrong value (one character off) does not verify.
    await sb.admin.addTxt(d.DKIMPendingHost, d.DKIMPendingTextValue.slice(0, -1) + "X");
    expect((await client.verifyDkim(d.ID)).DKIMVerified).toBe(false);
    await sb.admin.addTxt(d.DKIMPendingHost, d.DKIMPendingTextValue);
    const v = await client.verifyDkim(d.ID);
    expect(v.DKIMVerified).toBe(true);
    expect(v.DKIMUpdateStatus).toBe("Verified");
    expect(v.DKIMHost).toBe(d.DKIMPendingHost);
    expect(v.DKIMTextValue).toBe(d.DKIMPendingTextValue);
    expect(v.DKIMPendingHost).toBe("");
  });

  test("verifyDkim with the record already present: first call still pending, second verified", async () => {
    const d = await client.createDomain({ Name: "async.example.test" });
    await sb.admin.addTxt(d.DKIMPendingHost, d.DKIMPendingTextValue);
    expect((await client.verifyDkim(d.ID)).DKIMVerified).toBe(false);
    expect((await client.verifyDkim(d.ID)).DKIMVerified).toBe(true);
  });

  test("verifyReturnPath verifies at once when the CNAME pm-bounces.<domain> → pm.mtasv.net exists", async () => {
    const d = await client.createDomain({ Name: "rpath.example.test", ReturnPathDomain: "pm-bounces.rpath.example.test" });
    expect((await client.verifyReturnPath(d.ID)).ReturnPathDomainVerified).toBe(false);
    await sb.admin.addCname("pm-bounces.rpath.example.test", "wrong.target.test");
    expect((await client.verifyReturnPath(d.ID)).ReturnPathDomainVerified).toBe(false);
    await sb.admin.addCname("pm-bounces.rpath.example.test", "pm.mtasv.net.");
    const v = await client.verifyReturnPath(d.ID);
    expect(v.ReturnPathDomainVerified).toBe(true);
    expect(v.ReturnPathDomainCNAMEValue).toBe("pm.mtasv.net");
  });

  test("rotation: new key pending, old current → revoked after verify, then safe to remove", async () => {
    const d = await client.createDomain({ Name: "rotate.example.test" });
    await sb.admin.addTxt(d.DKIMPendingHost, d.DKIMPendingTextValue);
    await client.verifyDkim(d.ID);
    const v1 = await client.verifyDkim(d.ID);
    expect(v1.DKIMVerified).toBe(true);

    const r = await client.rotateDkim(d.ID);
    expect(r.DKIMUpdateStatus).toBe("Pending");
    expect(r.DKIMVerified).toBe(true); // stays true once ever verified
    expect(r.DKIMHost).toBe(v1.DKIMHost); // the old key still signs until the new one verifies
    expect(r.DKIMPendingHost).not.toBe(v1.DKIMHost);
    expect(r.DKIMPendingTextValue).not.toBe(v1.DKIMTextValue);

    const again = await caught(client.rotateDkim(d.ID));
    expect(again.errorCode).toBe(505);
    expect(again.kind).toBe("invalid");

    await sb.admin.addTxt(r.DKIMPendingHost, r.DKIMPendingTextValue);
    await client.verifyDkim(d.ID);
    const v2 = await client.verifyDkim(d.ID);
    expect(v2.DKIMHost).toBe(r.DKIMPendingHost);
    expect(v2.DKIMRevokedHost).toBe(v1.DKIMHost);
    expect(v2.DKIMRevokedTextValue).toBe(v1.DKIMTextValue);
    expect(v2.SafeToRemoveRevokedKeyFromDNS).toBe(false);
    expect((await client.verifyDkim(d.ID)).SafeToRemoveRevokedKeyFromDNS).toBe(true);
  });

  test("rotation whose answer is lost: the re-sent POST's 505 proves it landed; details returned", async () => {
    const d = await client.createDomain({ Name: "rotate-lost.example.test" });
    await sb.admin.addTxt(d.DKIMPendingHost, d.DKIMPendingTextValue);
    await client.verifyDkim(d.ID);
    await client.verifyDkim(d.ID);
    await sb.admin.injectFault({ kind: "drop", phase: "after", count: 1, method: "POST", pathPrefix: "/domains/" });
    const r = await client.rotateDkim(d.ID);
    expect(r.DKIMUpdateStatus).toBe("Pending");
    expect(r.DKIMPendingHost).not.toBe(d.DKIMPendingHost);
  });

  test("a DELETE whose answer is lost is retried; the retry's not-found counts as deleted", async () => {
    const d = await client.createDomain({ Name: "delete-lost.example.test" });
    await sb.admin.injectFault({ kind: "drop", phase: "after", count: 1, method: "DELETE" });
    expect((await client.deleteDomain(d.ID)).ErrorCode).toBe(0);
    expect(await client.listDomains()).toEqual([]);
    expect(retries.map((r) => r.kind)).toEqual(["network"]);
  });

  test("deleteDomain removes it; a second delete is not-found", async () => {
    const d = await client.createDomain({ Name: "delete.example.test" });
    expect((await client.deleteDomain(d.ID)).ErrorCode).toBe(0);
    expect(isNotFound(await caught(client.deleteDomain(d.ID)))).toBe(true);
  });
});

describe("servers", () => {
  test("createServer: one fresh token, SMTP off by default; the token never appears in errors", async () => {
    const s = await client.createServer({ Name: "arda-dev", DeliveryType: "Live", Color: "Blue" });
    expect(s.ApiTokens).toHaveLength(1);
    const token = s.ApiTokens[0];
    expect(token).toMatch(/^[0-9a-f-]{36}$/);
    expect(s.SmtpApiActivated).toBe(false);
    expect(s.Color).toBe("Blue");
    const s2 = await client.createServer({ Name: "arda-stage", SmtpApiActivated: true });
    expect(s2.SmtpApiActivated).toBe(true);
    expect(s2.ApiTokens[0]).not.toBe(token);

    const dup = await caught(client.createServer({ Name: "arda-dev" }));
    expect(dup.kind).toBe("already_exists");
    expect(dup.errorCode).toBe(603);
    expect(dup.existingId).toBe(s.ID);
    expectNoSecret(dup, token);

    await sb.admin.injectFault({ kind: "status", status: 503, count: 50, method: "GET", pathPrefix: "/servers" });
    const e = await caught(client.getServer(s.ID));
    expectNoSecret(e, token);
    for (const r of retries) expect(r.message).not.toContain(token);
  });

  test("createServer whose answer is lost: found by name with its token, no duplicate server", async () => {
    await sb.admin.injectFault({ kind: "drop", phase: "after", count: 1, method: "POST", pathPrefix: "/servers" });
    const s = await client.createServer({ Name: "lost-answer" });
    expect(s.ApiTokens).toHaveLength(1);
    expect((await client.listServers()).filter((x) => x.Name === "lost-answer")).toHaveLength(1);
  });

  test("findServerByName is exact although Postmark's filter may match part of a name", async () => {
    await client.createServer({ Name: "arda-dev-extra" });
    const s = await client.createServer({ Name: "arda-dev" });
    expect((await client.findServerByName("arda-dev"))?.ID).toBe(s.ID);
    expect(await client.findServerByName("arda")).toBeUndefined();
    expect(await client.listServers()).toHaveLength(2);
    expect((await client.deleteServer(s.ID)).ErrorCode).toBe(0);
    expect(await client.findServerByName("arda-dev")).toBeUndefined();
  });
});

/** A loopback port with nothing listening (bind, read the port, close). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe("answers checked before use (issue 10 item 3; the CLI cases are in cli/commands/register-postmark-answers.test.ts)", () => {
  const answer = (body: unknown, over: Record<string, unknown> = {}) => sb.admin.injectFault({ kind: "answer", body: typeof body === "string" ? body : JSON.stringify(body), count: 1, ...over });

  test("getDomain / editDomain / verifyDkim / verifyReturnPath answered about another ID are refused, not retried", async () => {
    const mine = await client.createDomain({ Name: "mine.example.test" });
    const other = await client.createDomain({ Name: "other.example.test" });
    const otherDetails = await client.getDomain(other.ID);
    const calls: [string, () => Promise<unknown>][] = [
      ["GET", () => client.getDomain(mine.ID)],
      ["PUT", () => client.editDomain(mine.ID, { ReturnPathDomain: "pm-bounces.mine.example.test" })],
      ["PUT", () => client.verifyDkim(mine.ID)],
      ["PUT", () => client.verifyReturnPath(mine.ID)],
      ["POST", () => client.rotateDkim(mine.ID)],
    ];
    for (const [method, call] of calls) {
      await answer(otherDetails, { method, pathPrefix: `/domains/${mine.ID}` });
      const e = await caught(call());
      expect(e.kind).toBe("unexpected_answer");
      expect(e.message).toContain(`gave an unexpected answer: a request about ID ${mine.ID} was answered with "other.example.test" (ID ${other.ID})`);
    }
    expect(retries).toEqual([]);
  });

  test("findDomainByName refuses details that name another domain than the list's hit", async () => {
    const a = await client.createDomain({ Name: "a.example.test" });
    const b = await client.getDomain((await client.createDomain({ Name: "b.example.test" })).ID);
    await answer({ ...b, ID: a.ID }, { method: "GET", pathPrefix: `/domains/${a.ID}` });
    const e = await caught(client.findDomainByName("a.example.test"));
    expect(e.message).toContain(`GET /domains/${a.ID} gave an unexpected answer: the request for domain "a.example.test" was answered with domain "b.example.test"`);
  });

  test("servers: a list or a create without ApiTokens is refused; a page larger than asked for is refused", async () => {
    await answer({ TotalCount: 1, Servers: [{ ID: 3, Name: "s", SmtpApiActivated: false, DeliveryType: "Live" }] }, { method: "GET", pathPrefix: "/servers" });
    expect((await caught(client.listServers())).message).toContain("Servers.0.ApiTokens: Invalid input: expected array, received undefined");
    await answer({ ID: 3, Name: "s", ApiTokens: [], SmtpApiActivated: false, DeliveryType: "Live" }, { method: "POST", pathPrefix: "/servers" });
    const created = await client.createServer({ Name: "t" }).catch((e: PostmarkApiError) => e);
    expect((created as PostmarkApiError).message).toContain('the create of server "t" was answered with server "s" (ID 3)');
    const many = Array.from({ length: 501 }, (_, i) => ({ ID: i + 1, Name: `d${i}.example.test`, SPFVerified: false, DKIMVerified: false, WeakDKIM: false, ReturnPathDomainVerified: false }));
    await answer({ TotalCount: 501, Domains: many }, { method: "GET", pathPrefix: "/domains" });
    expect((await caught(client.listDomains())).message).toContain("a page of 501 objects, more than the 500 asked for");
  });

  test("a DELETE answered with something else than Postmark's message is refused", async () => {
    const d = await client.createDomain({ Name: "del.example.test" });
    await answer("[]", { method: "DELETE" });
    expect((await caught(client.deleteDomain(d.ID))).message).toContain(`DELETE /domains/${d.ID} gave an unexpected answer: HTTP 200, (the answer): Invalid input: expected object, received array`);
  });

  test("an error status whose body is not Postmark's (a proxy's page) shows how it began", async () => {
    await sb.admin.injectFault({ kind: "answer", status: 502, body: "<html>Bad gateway</html>", count: 10 });
    const e = await caught(newClient({ retry: { limit: 1, baseDelayMs: 1, maxDelayMs: 1 } }).listDomains());
    expect(e.message).toContain('Postmark GET /domains failed: HTTP 502 (no ErrorCode); the answer began "<html>Bad gateway</html>" — Postmark had a server error');
  });

  test("a token a header cannot carry, a bad timeout or retry policy are refused at construction", () => {
    const e = (() => {
      try {
        new PostmarkClient({ accountToken: "abcd-efgh\n" });
      } catch (x) {
        return x as PostmarkApiError;
      }
      throw new Error("not refused");
    })();
    expect(e).toBeInstanceOf(PostmarkApiError);
    expect(e.kind).toBe("bad_token");
    expect(e.message).toBe(
      "the Postmark account token contains a newline (character 10 of 10), which an HTTP header cannot carry; nothing was sent to Postmark — store the token again without it (a copy-paste or `echo` often adds a trailing newline), then re-run",
    );
    expect(e.message).not.toContain("abcd-efgh");
    expect(() => new PostmarkClient({ accountToken: "tokén-1234" })).toThrow("contains a non-ASCII character (character 4 of 10)");
    expect(() => new PostmarkClient({ accountToken: "t".repeat(20), timeoutMs: 0 })).toThrow("Postmark client timeout must be 1 ms … 600 s, got 0 ms");
    expect(() => new PostmarkClient({ accountToken: "t".repeat(20), retry: { limit: 1.5, baseDelayMs: 1, maxDelayMs: 1 } })).toThrow("Postmark retry policy must be whole numbers");
  });
});
