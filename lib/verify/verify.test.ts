import { loadPlatform } from "../../platform/load";
import { findPartition, partitionDomain, corporateDomain } from "../../platform/names";
import { fakeEntry } from "../dns/fake-entries";
import { findKnotd, startDnsServer, type DnsServer } from "../dns/knot";
import { zonesFromPlacement } from "../dns/platform-zones";
import { withoutRecord, withRecordValues, type Zone } from "../dns/zone";
import type { DomainDetails } from "../postmark/types";
import { dnsReader } from "./dns-reader";
import { corporateTarget, formatReport, partitionTarget, verifyDomain, type PostmarkDomainVerifier } from "./verify";

const platform = loadPlatform("sandbox");
const dev = findPartition(platform, "Alpha002", "dev");
const devDomain = partitionDomain(platform, dev);
const entries = new Map([
  [devDomain, fakeEntry(devDomain, 101)],
  [corporateDomain(platform), fakeEntry(corporateDomain(platform), 100)],
]);
const haveKnot = findKnotd() !== undefined;
const maybe = haveKnot ? describe : describe.skip;

maybe("verify against a real DNS server (knotd on loopback)", () => {
  let server: DnsServer;
  let zones: Zone[];
  beforeAll(async () => {
    zones = zonesFromPlacement(platform, entries);
    server = await startDnsServer(zones);
  });
  afterAll(async () => server?.stop());
  afterEach(async () => server.update(zones));

  const target = () => partitionTarget(platform, dev, entries.get(devDomain)!);

  it("passes every DNS check when the zones are as synthesized", async () => {
    const r = await verifyDomain(target(), { dns: dnsReader(server.address) });
    expect(formatReport(r)).toContain("PASS");
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.checks.map((c) => c.check)).toEqual(["ns-delegation", "spf", "dmarc", "dkim", "return-path"]);
    // The DKIM key is longer than 255 bytes: it was served as two strings and read back joined.
    expect(entries.get(devDomain)!.dkimPublicKey.length).toBeGreaterThan(255);
  });

  it("verifies Corporate the same way", async () => {
    const r = await verifyDomain(corporateTarget(platform, entries.get(corporateDomain(platform))!), { dns: dnsReader(server.address) });
    expect(r.ok).toBe(true);
  });

  it("fails with a precise message when the DKIM record is removed", async () => {
    await server.update(withoutRecord(zones, (r) => r.name.includes("._domainkey.dev.")));
    const r = await verifyDomain(target(), { dns: dnsReader(server.address) });
    expect(r.ok).toBe(false);
    const failed = r.checks.filter((c) => !c.ok);
    expect(failed.map((c) => c.check)).toEqual(["dkim"]);
    expect(failed[0].subject).toBe(`20260526234343pm._domainkey.${devDomain} TXT`);
    expect(failed[0].seen).toMatch(/^no TXT record at 20260526234343pm\._domainkey\.dev\.ardamails\.com \(ENO(TFOUND|DATA)\)$/);
    expect(formatReport(r)).toContain(`FAIL dkim`);
  });

  it("fails when one byte of the DKIM value differs", async () => {
    const good = entries.get(devDomain)!.dkimPublicKey;
    const bad = good.slice(0, -2) + (good.endsWith("A=") ? "B=" : "A=");
    await server.update(withRecordValues(zones, (r) => r.name.includes("._domainkey.dev."), [[bad.slice(0, 255), bad.slice(255)]]));
    const r = await verifyDomain(target(), { dns: dnsReader(server.address) });
    const dkim = r.checks.find((c) => c.check === "dkim")!;
    expect(dkim.ok).toBe(false);
    expect(dkim.expected).toBe(JSON.stringify(good));
    expect(dkim.seen).toBe(JSON.stringify(bad));
  });

  it("fails when the Return-Path CNAME points elsewhere", async () => {
    await server.update(withRecordValues(zones, (r) => r.name === `pm-bounces.${devDomain}`, ["bounces.example.net"]));
    const r = await verifyDomain(target(), { dns: dnsReader(server.address) });
    expect(r.checks.filter((c) => !c.ok).map((c) => [c.check, c.expected, c.seen])).toEqual([["return-path", '"pm.mtasv.net"', '"bounces.example.net"']]);
  });

  it("fails when the SPF value is altered and when DMARC is removed", async () => {
    let z = withRecordValues(zones, (r) => r.name === devDomain && r.type === "TXT", [["v=spf1 include:other.example ~all"]]);
    z = withoutRecord(z, (r) => r.name === `_dmarc.${devDomain}`);
    await server.update(z);
    const r = await verifyDomain(target(), { dns: dnsReader(server.address) });
    const failed = r.checks.filter((c) => !c.ok);
    expect(failed.map((c) => c.check)).toEqual(["spf", "dmarc"]);
    expect(failed[0].seen).toBe('"v=spf1 include:other.example ~all"');
    expect(failed[1].seen).toMatch(/^no TXT record at _dmarc\.dev\.ardamails\.com/);
  });

  it("fails the NS check when the partition zone is not served", async () => {
    await server.update(zones.filter((z) => z.name !== devDomain).map((z) => ({ ...z, records: z.records.filter((r) => !(r.type === "NS" && r.name === devDomain)) })));
    const r = await verifyDomain(target(), { dns: dnsReader(server.address, { timeoutMs: 300, tries: 1 }) });
    const ns = r.checks.find((c) => c.check === "ns-delegation")!;
    expect(ns.ok).toBe(false);
    expect(ns.expected).toBe("at least 2 name servers");
  });

  it("retries Postmark verifyDkim until verified, bounded, then checks the six outputs", async () => {
    let dkimCalls = 0;
    const pm: PostmarkDomainVerifier = {
      verifyDkim: async () => ({ Name: devDomain, DKIMVerified: ++dkimCalls >= 2, DKIMUpdateStatus: dkimCalls >= 2 ? "Verified" : "Pending" }) as DomainDetails,
      verifyReturnPath: async () => ({ Name: devDomain, ReturnPathDomainVerified: true }) as DomainDetails,
    };
    const r = await verifyDomain(target(), {
      dns: dnsReader(server.address),
      postmark: pm,
      attempts: 3,
      sleep: async () => undefined,
      outputs: { kind: "plan", names: ["PartitionMailZoneId", "PartitionMailZoneName", "EmailPostmarkAccountTokenArn", "EmailEncryptionKeyArn", "EmailDnsProvisioningRoleArn"] },
    });
    expect(r.checks.find((c) => c.check === "postmark-dkim")!.seen).toBe("verified (call 2 of at most 3)");
    const out = r.checks.find((c) => c.check === "outputs")!;
    expect(out.ok).toBe(false);
    expect(out.seen).toBe("missing: EmailEncryptionKeyFallbackRoleArn");
    expect(out.subject).toMatch(/offline: no applied state/);
  });

  it("gives up after the bounded number of Postmark calls", async () => {
    const pm: PostmarkDomainVerifier = {
      verifyDkim: async () => ({ DKIMVerified: false, DKIMUpdateStatus: "Pending" }) as DomainDetails,
      verifyReturnPath: async () => ({ ReturnPathDomainVerified: true }) as DomainDetails,
    };
    const r = await verifyDomain(target(), { dns: dnsReader(server.address), postmark: pm, attempts: 2, sleep: async () => undefined });
    expect(r.checks.find((c) => c.check === "postmark-dkim")).toMatchObject({ ok: false, seen: "pending (DKIMUpdateStatus Pending) after 2 calls" });
  });
});

describe("dnsReader", () => {
  it("tells an unreachable DNS server from a missing record", async () => {
    const r = await verifyDomain(partitionTarget(platform, dev, entries.get(devDomain)!), { dns: dnsReader("127.0.0.1:9", { timeoutMs: 300, tries: 1 }) });
    expect(r.checks.find((c) => c.check === "spf")!.seen).toMatch(/^TXT query for dev\.ardamails\.com failed: (ECONNREFUSED|ETIMEOUT) \(DNS server unreachable or failing\)$/);
  });

  it("refuses a malformed --resolver", () => {
    expect(() => dnsReader("localhost:53")).toThrow('--resolver "localhost:53": expected <ip>:<port> or <ip> (e.g. 127.0.0.1:5353)');
  });
});
