/**
 * The sandbox as Postmark's wire protocol: raw HTTP on loopback (no client library in between), so
 * these assert what any caller sees: statuses, ErrorCodes, field names, keys, paging, persistence,
 * fault injection, and DKIM verification against a REAL DNS server (Knot on loopback).
 */
import { createPublicKey } from "node:crypto";
import { mkdtempSync, readdirSync, statSync, readFileSync } from "node:fs";
import { networkInterfaces, tmpdir } from "node:os";
import { connect } from "node:net";
import { join } from "node:path";
import got from "got";
import { startSandbox, RunningSandbox } from "./server";
import { selectorFor } from "./state";
import { startDnsServer } from "../dns/knot";
import { knotAvailable } from "../../testing/knot";

const TOKEN = "sandbox-wire-test-token-0042";
let sb: RunningSandbox;

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function call(method: "GET" | "POST" | "PUT" | "DELETE", path: string, body?: unknown, opts: { token?: string | null; raw?: string; base?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = { Accept: "application/json", "Content-Type": "application/json" };
  if (opts.token !== null) headers["X-Postmark-Account-Token"] = opts.token ?? TOKEN;
  const res = await got(`${opts.base ?? sb.url}${path}`, {
    method,
    headers,
    body: opts.raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    throwHttpErrors: false,
    retry: 0,
    responseType: "text",
  });
  expect(res.headers["content-type"]).toContain("application/json");
  return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, unknown> };
}

function rsaBits(txtValue: string): number {
  const m = /^k=rsa;p=([A-Za-z0-9+/]+=*)$/.exec(txtValue);
  if (!m) throw new Error(`not a DKIM RSA value: ${txtValue}`);
  const key = createPublicKey({ key: Buffer.from(m[1], "base64"), format: "der", type: "spki" });
  expect(key.asymmetricKeyType).toBe("rsa");
  return key.asymmetricKeyDetails?.modulusLength ?? 0;
}

beforeAll(async () => {
  sb = await startSandbox({ accountToken: TOKEN });
});
afterAll(async () => {
  await sb.close();
});
beforeEach(async () => {
  await sb.admin.reset();
});

describe("Postmark wire protocol", () => {
  test("binds loopback only and answers on the URL it reports", async () => {
    expect(sb.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await call("GET", "/domains?count=1&offset=0")).body).toEqual({ TotalCount: 0, Domains: [] });
  });

  test("is not reachable on any non-loopback address of this machine", async () => {
    const port = Number(new URL(sb.url).port);
    const external = Object.values(networkInterfaces())
      .flat()
      .filter((i): i is NonNullable<typeof i> => !!i && !i.internal && i.family === "IPv4")
      .map((i) => i.address);
    for (const address of external) {
      const err = await new Promise<string>((resolve) => {
        const s = connect({ host: address, port }, () => {
          s.destroy();
          resolve("connected");
        });
        s.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? "error"));
      });
      expect([address, err]).toEqual([address, "ECONNREFUSED"]);
    }
  });

  test("missing or wrong account token: 401 ErrorCode 10, and the wrong token is not echoed", async () => {
    const none = await call("GET", "/domains?count=10&offset=0", undefined, { token: null });
    expect(none.status).toBe(401);
    expect(none.body.ErrorCode).toBe(10);
    const wrong = await call("POST", "/servers", { Name: "x" }, { token: "CANARY-wrong-token-99" });
    expect(wrong.status).toBe(401);
    expect(wrong.body.ErrorCode).toBe(10);
    expect(JSON.stringify(wrong.body)).not.toContain("CANARY");
  });

  test.each([
    ["/domains", "both 'count' and 'offset' query parameters are required"],
    ["/domains?count=10", "both 'count' and 'offset' query parameters are required"],
    ["/domains?offset=0", "both 'count' and 'offset' query parameters are required"],
    ["/domains?count=501&offset=0", "Invalid 'count' value \"501\": must be 1..500."],
    ["/domains?count=0&offset=0", "Invalid 'count' value \"0\""],
    ["/domains?count=10&offset=-1", "Invalid 'offset' value \"-1\""],
    ["/servers?count=10", "both 'count' and 'offset' query parameters are required"],
  ])("GET %s → 422 ErrorCode 511 (%s)", async (path, message) => {
    const a = await call("GET", path);
    expect(a.status).toBe(422);
    expect(a.body.ErrorCode).toBe(511);
    expect(a.body.Message).toContain(message);
  });

  test("paging: TotalCount and slices by count/offset over 1,000 seeded domains", async () => {
    const t0 = Date.now();
    await sb.admin.seedDomains(1000);
    expect(Date.now() - t0).toBeLessThan(2000);
    const p1 = await call("GET", "/domains?count=500&offset=0");
    const p3 = await call("GET", "/domains?count=500&offset=1000");
    const mid = await call("GET", "/domains?count=3&offset=998");
    expect(p1.body.TotalCount).toBe(1000);
    expect(p1.body.Domains as unknown[]).toHaveLength(500);
    expect(p3.body.Domains).toEqual([]);
    expect((mid.body.Domains as { Name: string }[]).map((d) => d.Name)).toEqual(["seed999.sandbox.test", "seed1000.sandbox.test"]);
    expect(Object.keys((p1.body.Domains as object[])[0]).sort()).toEqual(["DKIMVerified", "ID", "Name", "ReturnPathDomainVerified", "SPFVerified", "WeakDKIM"]);
  });

  test("create domain: DomainDetails fields, selector YYYYMMDDhhmmsspm (UTC), a real 1024-bit RSA key", async () => {
    const before = selectorFor(new Date(Date.now() - 2000));
    const a = await call("POST", "/domains", { Name: "Mail.Example.test", ReturnPathDomain: "pm-bounces.mail.example.test" });
    expect(a.status).toBe(200);
    const d = a.body;
    expect(Object.keys(d).sort()).toEqual(
      [
        "DKIMHost",
        "DKIMPendingHost",
        "DKIMPendingTextValue",
        "DKIMRevokedHost",
        "DKIMRevokedTextValue",
        "DKIMTextValue",
        "DKIMUpdateStatus",
        "DKIMVerified",
        "ID",
        "Name",
        "ReturnPathDomain",
        "ReturnPathDomainCNAMEValue",
        "ReturnPathDomainVerified",
        "SPFHost",
        "SPFTextValue",
        "SPFVerified",
        "SafeToRemoveRevokedKeyFromDNS",
        "WeakDKIM",
      ].sort(),
    );
    expect(d.Name).toBe("mail.example.test");
    expect(typeof d.ID).toBe("number");
    const sel = String(d.DKIMPendingHost).split(".")[0];
    expect(sel).toMatch(/^\d{14}pm$/);
    expect(sel >= before && sel <= selectorFor(new Date(Date.now() + 2000))).toBe(true);
    expect(d.DKIMPendingHost).toBe(`${sel}._domainkey.mail.example.test`);
    expect(rsaBits(String(d.DKIMPendingTextValue))).toBe(1024);
    expect(d.DKIMUpdateStatus).toBe("Pending");
    expect(d.ReturnPathDomainCNAMEValue).toBe("pm.mtasv.net");
    expect((await call("GET", `/domains/${String(d.ID)}`)).body).toEqual(d);
  });

  test("create domain errors: duplicate 422/512, bad Return-Path 422/511, bad name 422/511, bad JSON 422/402", async () => {
    await call("POST", "/domains", { Name: "dup.example.test" });
    const dup = await call("POST", "/domains", { Name: "DUP.example.test" });
    expect([dup.status, dup.body.ErrorCode, dup.body.Message]).toEqual([422, 512, "This domain already exists."]);
    const rp = await call("POST", "/domains", { Name: "rp.example.test", ReturnPathDomain: "rp.example.test" });
    expect([rp.status, rp.body.ErrorCode]).toEqual([422, 511]);
    expect(rp.body.Message).toContain("must be a sub-domain of rp.example.test");
    const nm = await call("POST", "/domains", { Name: "-bad-.test" });
    expect([nm.status, nm.body.ErrorCode]).toEqual([422, 511]);
    const js = await call("POST", "/domains", undefined, { raw: "{not json" });
    expect([js.status, js.body.ErrorCode, js.body.Message]).toEqual([422, 402, "Invalid JSON."]);
  });

  test("unknown domain: 422 ErrorCode 510 on get, edit, delete, verify, rotate; unknown server 422/601; unknown route 404", async () => {
    for (const [m, p] of [
      ["GET", "/domains/77"],
      ["PUT", "/domains/77"],
      ["DELETE", "/domains/77"],
      ["PUT", "/domains/77/verifyDkim"],
      ["PUT", "/domains/77/verifyReturnPath"],
      ["POST", "/domains/77/rotatedkim"],
    ] as const) {
      const a = await call(m, p, m === "PUT" ? {} : undefined);
      expect([m, p, a.status, a.body.ErrorCode]).toEqual([m, p, 422, 510]);
    }
    const s = await call("GET", "/servers/77");
    expect([s.status, s.body.ErrorCode]).toEqual([422, 601]);
    expect((await call("GET", "/templates")).status).toBe(404);
  });

  test("servers: create (fresh token, SMTP off unless asked), list with name filter, get, edit, delete, duplicate 603", async () => {
    const a = (await call("POST", "/servers", { Name: "arda-dev" })).body;
    const b = (await call("POST", "/servers", { Name: "arda-stage", SmtpApiActivated: true, DeliveryType: "Sandbox" })).body;
    expect(a.SmtpApiActivated).toBe(false);
    expect(a.DeliveryType).toBe("Live");
    expect(b.SmtpApiActivated).toBe(true);
    expect(b.DeliveryType).toBe("Sandbox");
    expect((a.ApiTokens as string[])[0]).not.toBe((b.ApiTokens as string[])[0]);
    const dup = await call("POST", "/servers", { Name: "arda-dev" });
    expect([dup.status, dup.body.ErrorCode]).toEqual([422, 603]);
    const bad = await call("POST", "/servers", { Name: "x", DeliveryType: "Test" });
    expect([bad.status, bad.body.ErrorCode]).toEqual([422, 511]);
    const filtered = (await call("GET", "/servers?count=10&offset=0&name=stage")).body;
    expect(filtered.TotalCount).toBe(1);
    expect((await call("GET", `/servers/${String(a.ID)}`)).body.ApiTokens).toEqual(a.ApiTokens);
    expect((await call("PUT", `/servers/${String(a.ID)}`, { SmtpApiActivated: true })).body.SmtpApiActivated).toBe(true);
    expect((await call("DELETE", `/servers/${String(a.ID)}`)).body.ErrorCode).toBe(0);
    expect((await call("GET", "/servers?count=10&offset=0")).body.TotalCount).toBe(1);
  });
});

describe("DKIM rotation selectors", () => {
  test("rapid rotations in the same second still get distinct selectors", async () => {
    const d = (await call("POST", "/domains", { Name: "fast.example.test" })).body;
    const id = String(d.ID);
    const selectors = [String(d.DKIMPendingHost)];
    for (let i = 0; i < 3; i++) {
      const cur = (await call("GET", `/domains/${id}`)).body;
      await sb.admin.addTxt(String(cur.DKIMPendingHost), String(cur.DKIMPendingTextValue));
      await call("PUT", `/domains/${id}/verifyDkim`);
      const v = (await call("PUT", `/domains/${id}/verifyDkim`)).body;
      expect(v.DKIMUpdateStatus).toBe("Verified");
      const r = (await call("POST", `/domains/${id}/rotatedkim`)).body;
      selectors.push(String(r.DKIMPendingHost));
    }
    expect(new Set(selectors).size).toBe(4);
    for (const s of selectors) expect(s).toMatch(/^\d{14}pm\._domainkey\.fast\.example\.test$/);
  });

  test("--dkim-bits 2048 gives 2048-bit keys", async () => {
    const big = await startSandbox({ accountToken: TOKEN, dkimBits: 2048 });
    try {
      const d = (await call("POST", "/domains", { Name: "big.example.test" }, { base: big.url })).body;
      expect(rsaBits(String(d.DKIMPendingTextValue))).toBe(2048);
    } finally {
      await big.close();
    }
  });
});

describe("admin API", () => {
  test.each([
    [{ kind: "explode" }, 'fault kind must be "status", "delay", "drop" or "answer", got "explode"'],
    [{ kind: "answer", status: 100 }, "fault status must be an HTTP status 200-599, got 100"],
    [{ kind: "answer", body: { TotalCount: 1 } }, 'fault body must be a string (the raw answer), got {"TotalCount":1}'],
    [{ kind: "answer", headers: { Location: "a\r\nSet-Cookie: x" } }, "fault headers must map header names to single-line strings"],
    [{ kind: "status", count: 0 }, "fault count must be a positive integer, got 0"],
    [{ kind: "status", status: 200 }, "fault status must be an HTTP error status 400-599, got 200"],
    [{ kind: "delay" }, "fault delayMs must be 0..600000, got undefined"],
    [{ kind: "drop", phase: "during" }, 'fault phase must be "before" or "after", got "during"'],
  ])("bad fault %j is refused: %s", async (spec, message) => {
    await expect(sb.admin.injectFault(spec as never)).rejects.toThrow(message);
  });

  test("an 'answer' fault sends its status, raw body and headers as given, once", async () => {
    await sb.admin.injectFault({ kind: "answer", status: 302, body: '{"TotalCount":"many"}', headers: { Location: "https://portal.example/" }, method: "GET", pathPrefix: "/domains" });
    const res = await got(`${sb.url}/domains?count=1&offset=0`, { headers: { "X-Postmark-Account-Token": TOKEN }, throwHttpErrors: false, followRedirect: false, retry: 0, responseType: "text" });
    expect([res.statusCode, res.headers.location, res.body]).toEqual([302, "https://portal.example/", '{"TotalCount":"many"}']);
    expect((await call("GET", "/domains?count=1&offset=0")).status).toBe(200);
  });

  test("faults are scoped by method and path prefix and consumed", async () => {
    await sb.admin.injectFault({ kind: "status", status: 503, count: 2, method: "POST", pathPrefix: "/servers" });
    expect((await call("GET", "/servers?count=1&offset=0")).status).toBe(200);
    expect((await call("POST", "/domains", { Name: "scoped.example.test" })).status).toBe(200);
    expect((await call("POST", "/servers", { Name: "s1" })).status).toBe(503);
    expect((await sb.admin.listFaults())[0].remaining).toBe(1);
    expect((await call("POST", "/servers", { Name: "s1" })).status).toBe(503);
    expect((await call("POST", "/servers", { Name: "s1" })).status).toBe(200);
    expect(await sb.admin.listFaults()).toEqual([]);
  });

  test("bad DNS declarations and seeds are refused with the field named", async () => {
    await expect(sb.admin.addDns({ type: "MX" as never, name: "a.test", value: "x" })).rejects.toThrow('DNS record type must be TXT or CNAME, got "MX"');
    await expect(sb.admin.addTxt("a.test", "")).rejects.toThrow("DNS record value is required for a.test");
    await expect(sb.admin.seedDomains(-1)).rejects.toThrow('seed: "domains" must be an integer 0..100000, got -1');
    expect(await sb.admin.removeDns("TXT", "nothing.test")).toBe(0);
  });
});

describe("state file", () => {
  test("state is written atomically after each change and loaded at start", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pm-sandbox-state-"));
    const statePath = join(dir, "state.json");
    const one = await startSandbox({ accountToken: TOKEN, statePath });
    let domain: Record<string, unknown>;
    let server: Record<string, unknown>;
    try {
      domain = (await call("POST", "/domains", { Name: "persist.example.test" }, { base: one.url })).body;
      server = (await call("POST", "/servers", { Name: "persist" }, { base: one.url })).body;
      await one.admin.addCname("pm-bounces.persist.example.test", "pm.mtasv.net");
    } finally {
      await one.close();
    }
    expect(readdirSync(dir)).toEqual(["state.json"]); // no temp files left behind
    expect(statSync(statePath).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(statePath, "utf8")).version).toBe(1);

    const two = await startSandbox({ accountToken: TOKEN, statePath });
    try {
      expect((await call("GET", `/domains/${String(domain.ID)}`, undefined, { base: two.url })).body).toEqual(domain);
      expect((await call("GET", `/servers/${String(server.ID)}`, undefined, { base: two.url })).body.ApiTokens).toEqual(server.ApiTokens);
      expect((await call("PUT", `/domains/${String(domain.ID)}/verifyReturnPath`, undefined, { base: two.url })).body.ReturnPathDomainVerified).toBe(true);
      const next = (await call("POST", "/domains", { Name: "next.example.test" }, { base: two.url })).body;
      expect(next.ID).toBe(Number(domain.ID) + 1);
    } finally {
      await two.close();
    }
  });
});

const knot = knotAvailable();
(knot ? describe : describe.skip)("--dns-resolver: verification against a real DNS server (Knot on loopback)", () => {
  test("DKIM (2048-bit key split into 255-byte strings) and Return-Path verify only once the zone carries them", async () => {
    const zone = { name: "dns.example.test", nameServers: ["ns1.dns.example.test"], records: [] as { name: string; type: "TXT" | "CNAME"; ttl: number; values: string[][] | string[] }[] };
    const dns = await startDnsServer([zone]);
    const sbx = await startSandbox({ accountToken: TOKEN, dkimBits: 2048, dnsResolver: dns.address });
    try {
      const d = (await call("POST", "/domains", { Name: "dns.example.test" }, { base: sbx.url })).body;
      const id = String(d.ID);
      const verify = async (what: string) => (await call("PUT", `/domains/${id}/${what}`, undefined, { base: sbx.url })).body;
      expect((await verify("verifyDkim")).DKIMVerified).toBe(false);
      expect((await verify("verifyDkim")).DKIMVerified).toBe(false); // nothing in DNS yet
      expect((await verify("verifyReturnPath")).ReturnPathDomainVerified).toBe(false);

      const value = String(d.DKIMPendingTextValue);
      expect(value.length).toBeGreaterThan(255);
      const strings = value.match(/.{1,255}/g)!; // one TXT record of several character-strings
      expect(strings.length).toBe(2);
      zone.records.push({ name: String(d.DKIMPendingHost), type: "TXT", ttl: 60, values: [strings] });
      zone.records.push({ name: "pm-bounces.dns.example.test", type: "CNAME", ttl: 60, values: ["pm.mtasv.net"] });
      await dns.update([zone]);

      expect((await verify("verifyReturnPath")).ReturnPathDomainVerified).toBe(true);
      const v = await verify("verifyDkim");
      expect(v.DKIMVerified).toBe(true);
      expect(v.DKIMHost).toBe(d.DKIMPendingHost);
    } finally {
      await sbx.close();
      await dns.stop();
    }
  });
});
