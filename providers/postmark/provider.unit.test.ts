/**
 * The provider's configuration and validation messages, and the verification loop, exercised on the
 * provider object itself against the real sandbox (in-process, loopback) through the real client.
 */
import { PostmarkClient } from "../../lib/postmark/client";
import { RunningSandbox, startSandbox } from "../../sandbox/postmark/server";
import type { CtyObject } from "./protocol/cty";
import type { Diagnostic } from "./protocol/diagnostics";
import { postmarkProvider } from "./provider";
import { missingRecords, verifyUntilDone } from "./resources/domain-verification";

const TOKEN = `unit-canary-${Math.random().toString(36).slice(2)}-tok`;
let sandbox: RunningSandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, accountToken: TOKEN });
});
afterAll(async () => sandbox?.close());

const texts = (d: readonly Diagnostic[] | undefined): string[] => (d ?? []).map((x) => `${x.summary}: ${x.detail ?? ""}`);

describe("provider configuration", () => {
  test("no account_token and no POSTMARK_ACCOUNT_TOKEN: a clear error naming both", async () => {
    const p = postmarkProvider({ env: {} });
    expect(texts(await p.configure({ account_token: null, api_url: null }))).toEqual([
      "Missing Postmark account token: Set the provider's account_token (from a sensitive variable) or the POSTMARK_ACCOUNT_TOKEN environment variable.",
    ]);
  });

  test("falls back to POSTMARK_ACCOUNT_TOKEN and POSTMARK_API_URL", async () => {
    const p = postmarkProvider({ env: { POSTMARK_ACCOUNT_TOKEN: TOKEN, POSTMARK_API_URL: sandbox.url } });
    expect(await p.configure({ account_token: null, api_url: null })).toEqual([]);
    const imported = await p.resources.postmark_domain.importState!("missing.ardamails.test");
    expect(texts(imported.diagnostics)).toEqual(['Cannot import postmark_domain: No Postmark domain with name "missing.ardamails.test" exists in this account.']);
  });

  test("an api_url that is not a URL is rejected, naming the attribute", () => {
    const d = postmarkProvider({ env: {} }).validate!({ account_token: null, api_url: "api.postmarkapp.com" });
    expect(texts(d)).toEqual(['Invalid api_url: api_url must be an http(s) URL, got "api.postmarkapp.com".']);
    expect(d[0].attribute).toEqual(["api_url"]);
  });

  test("account_token is sensitive in the schema", () => {
    expect(postmarkProvider().schema.attributes.account_token.sensitive).toBe(true);
  });
});

describe("validation messages", () => {
  const p = postmarkProvider({ env: {} });
  const domain = (c: CtyObject): string[] => texts(p.resources.postmark_domain.validate!({ name: null, return_path_domain: null, ...c }));
  const verification = (c: CtyObject): string[] => texts(p.resources.postmark_domain_verification.validate!({ domain_id: "1", triggers: null, timeout: null, poll_interval: null, ...c }));
  const data = (c: CtyObject): string[] => texts(p.dataSources.postmark_domain.validate!({ id: null, name: null, ...c }));

  test("postmark_domain", () => {
    expect(domain({ name: "dev.ardamails.com" })).toEqual([]);
    expect(domain({ name: "dev.ardamails.com", return_path_domain: "" })).toEqual(['Invalid return_path_domain: return_path_domain must not be empty; omit it for the default ("pm-bounces.<name>").']);
    expect(domain({ name: "" })).toEqual(['Invalid domain name: "" is not a domain name (dot-separated DNS labels of letters, digits and hyphens, e.g. "dev.ardamails.com")']);
    expect(domain({ name: "not a domain" })).toEqual(['Invalid domain name: "not a domain" is not a domain name (dot-separated DNS labels of letters, digits and hyphens, e.g. "dev.ardamails.com")']);
    expect(domain({ name: "dev.ardamails.com", return_path_domain: "pm-bounces.other.com" })).toEqual([
      'Invalid return_path_domain: return_path_domain "pm-bounces.other.com" must be a sub-domain of "dev.ardamails.com" (Postmark requires it), e.g. "pm-bounces.dev.ardamails.com".',
    ]);
  });

  test("postmark_domain_verification", () => {
    expect(verification({ timeout: "10m", poll_interval: "2s" })).toEqual([]);
    expect(verification({ domain_id: "dev.ardamails.com" })).toEqual(['Invalid domain_id: domain_id must be a numeric Postmark domain ID, got "dev.ardamails.com".']);
    expect(verification({ timeout: "ten minutes" })).toEqual(['Invalid timeout: "ten minutes" is not a duration: use a number with a unit, e.g. "30s", "10m", "1h30m"']);
    expect(verification({ poll_interval: "0s" })).toEqual(['Invalid poll_interval: "0s" must be longer than zero']);
  });

  test("data source postmark_domain: exactly one of id or name", () => {
    const one = "Give exactly one of id or name: data.postmark_domain looks a domain up by `id` (numeric) or by `name`, not both and not neither.";
    expect(data({})).toEqual([one]);
    expect(data({ id: "1", name: "dev.ardamails.com" })).toEqual([one]);
    expect(data({ id: "abc" })).toEqual(['Invalid id: id must be a numeric Postmark domain ID, got "abc".']);
    expect(data({ name: "dev.ardamails.com" })).toEqual([]);
  });
});

describe("verification loop", () => {
  test("pending first, verified once the records exist; times out naming the missing records otherwise", async () => {
    const client = new PostmarkClient({ accountToken: TOKEN, apiUrl: sandbox.url });
    const d = await client.createDomain({ Name: "loop.ardamails.test", ReturnPathDomain: "pm-bounces.loop.ardamails.test" });
    const fresh = await client.getDomain(d.ID);

    const waits: number[] = [];
    const timedOut = await verifyUntilDone(client, d.ID, {
      timeoutMs: 1000,
      pollMs: 100,
      sleep: async (ms) => {
        waits.push(ms);
        await new Promise((r) => setTimeout(r, ms));
      },
    });
    expect(timedOut.done).toBe(false);
    expect(waits[1]).toBe(150); // backoff: 1.5× per attempt
    expect(missingRecords(timedOut.details)).toEqual([
      `DKIM: Postmark cannot see the TXT record at ${fresh.DKIMPendingHost} with the value "${fresh.DKIMPendingTextValue}".`,
      "Return-Path: Postmark cannot see the CNAME record pm-bounces.loop.ardamails.test → pm.mtasv.net.",
    ]);
    expect(missingRecords(timedOut.details).join("\n")).not.toContain(TOKEN);

    await sandbox.admin.addTxt(fresh.DKIMPendingHost, fresh.DKIMPendingTextValue);
    await sandbox.admin.addCname("pm-bounces.loop.ardamails.test", "pm.mtasv.net");
    const ok = await verifyUntilDone(client, d.ID, { timeoutMs: 10_000, pollMs: 50 });
    expect(ok.done).toBe(true);
    expect(ok.details.DKIMHost).toBe(fresh.DKIMPendingHost);
    expect(missingRecords(ok.details)).toEqual([]);
  });

  test("StopProvider (Ctrl-C) ends a long wait at once", async () => {
    const client = new PostmarkClient({ accountToken: TOKEN, apiUrl: sandbox.url });
    const d = await client.createDomain({ Name: "stop.ardamails.test" });
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 300);
    const started = Date.now();
    const r = await verifyUntilDone(client, d.ID, { timeoutMs: 60_000, pollMs: 10_000, signal: stop.signal });
    expect(r).toMatchObject({ done: false, stopped: true });
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
