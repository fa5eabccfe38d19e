import { loadPlatform } from "../platform/load";
import { findPartition, partitionDomain, corporateDomain } from "../platform/names";
import { fakeEntry } from "../sandbox/dns/fake-entries";
import { startDnsServer, type DnsServer } from "../sandbox/dns/knot";
import { knotAvailable } from "../testing/knot";
import { zonesFromPlacement } from "../sandbox/dns/platform-zones";
import { withoutRecord, withRecordValues, type Zone } from "../sandbox/dns/zone";
import type { DomainDetails } from "../lib/postmark/types";
import { dnsReader } from "../lib/dns/reader";
import { corporateTarget, formatReport, partitionTarget, verifyDomain, type PostmarkDomainVerifier } from "./verify";

const platform = loadPlatform("sandbox");
const dev = findPartition(platform, "Alpha002", "dev");
const devDomain = partitionDomain(platform, dev);
const entries = new Map([
  [devDomain, fakeEntry(devDomain, 101)],
  [corporateDomain(platform), fakeEntry(corporateDomain(platform), 100)],
]);
const haveKnot = knotAvailable();
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
  // One knotd serves the whole tree here, the parent zone included.
  const reader = (opts: { timeoutMs?: number; tries?: number } = {}) => dnsReader(server.address, { parentServer: server.address, ...opts });

  it("passes every DNS check when the zones are as synthesized", async () => {
    const r = await verifyDomain(target(), { dns: reader() });
    expect(formatReport(r)).toContain("PASS");
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.checks.map((c) => c.check)).toEqual(["ns-delegation", "spf", "dmarc", "dkim", "return-path"]);
    // The DKIM key is longer than 255 bytes: it was served as two strings and read back joined.
    expect(entries.get(devDomain)!.dkimPublicKey.length).toBeGreaterThan(255);
  });

  it("verifies Corporate the same way", async () => {
    const r = await verifyDomain(corporateTarget(platform, entries.get(corporateDomain(platform))!), { dns: reader() });
    expect(r.ok).toBe(true);
  });

  it("fails with a precise message when the DKIM record is removed", async () => {
    await server.update(withoutRecord(zones, (r) => r.name.includes("._domainkey.dev.")));
    const r = await verifyDomain(target(), { dns: reader() });
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
    const r = await verifyDomain(target(), { dns: reader() });
    const dkim = r.checks.find((c) => c.check === "dkim")!;
    expect(dkim.ok).toBe(false);
    expect(dkim.expected).toBe(JSON.stringify(good));
    expect(dkim.seen).toBe(JSON.stringify(bad));
  });

  it("fails when the Return-Path CNAME points elsewhere", async () => {
    await server.update(withRecordValues(zones, (r) => r.name === `pm-bounces.${devDomain}`, ["bounces.example.net"]));
    const r = await verifyDomain(target(), { dns: reader() });
    expect(r.checks.filter((c) => !c.ok).map((c) => [c.check, c.expected, c.seen])).toEqual([["return-path", '"pm.mtasv.net"', '"bounces.example.net"']]);
  });

  it("fails when the SPF value is altered and when DMARC is removed", async () => {
    let z = withRecordValues(zones, (r) => r.name === devDomain && r.type === "TXT", [["v=spf1 include:other.example ~all"]]);
    z = withoutRecord(z, (r) => r.name === `_dmarc.${devDomain}`);
    await server.update(z);
    const r = await verifyDomain(target(), { dns: reader() });
    const failed = r.checks.filter((c) => !c.ok);
    expect(failed.map((c) => c.check)).toEqual(["spf", "dmarc"]);
    expect(failed[0].seen).toBe('"v=spf1 include:other.example ~all"');
    expect(failed[1].seen).toMatch(/^no TXT record at _dmarc\.dev\.ardamails\.com/);
  });

  it("fails the NS check when the partition zone is not served", async () => {
    await server.update(zones.filter((z) => z.name !== devDomain).map((z) => ({ ...z, records: z.records.filter((r) => !(r.type === "NS" && r.name === devDomain)) })));
    const r = await verifyDomain(target(), { dns: reader({ timeoutMs: 300, tries: 1 }) });
    const ns = r.checks.find((c) => c.check === "ns-delegation")!;
    expect(ns.ok).toBe(false);
    expect(ns.expected).toBe("ardamails.com delegates dev.ardamails.com to ≥ 2 name servers, the ones the zone serves itself");
    expect(ns.seen).toBe(`ardamails.com does not delegate dev.ardamails.com: its server ${server.address} answered NXDOMAIN with no NS for dev.ardamails.com`);
  });

  it("says when one server serves both the parent and the zone (the delegation cannot be read apart)", async () => {
    const ns = (await verifyDomain(target(), { dns: reader() })).checks.find((c) => c.check === "ns-delegation")!;
    expect(ns.ok).toBe(true);
    expect(ns.note).toBe("one DNS server serves both the parent and the zone: the delegation was read from the zone's own NS");
  });

  it("during a DKIM rotation checks the pending key too, byte for byte", async () => {
    const signing = entries.get(devDomain)!;
    const pendingKey = fakeEntry(devDomain, 102, "20261101000000pm");
    const rotating = { ...signing, rotationKeys: [{ role: "pending" as const, dkimSelector: pendingKey.dkimSelector, dkimPublicKey: pendingKey.dkimPublicKey, dkimHost: pendingKey.dkimHost }] };
    const rotatingZones = zonesFromPlacement(platform, new Map([...entries, [devDomain, rotating]]));
    await server.update(rotatingZones);
    const t = partitionTarget(platform, dev, rotating);
    const ok = await verifyDomain(t, { dns: reader() });
    expect(ok.checks.filter((c) => !c.ok)).toEqual([]);
    expect(ok.checks.map((c) => c.check)).toEqual(["ns-delegation", "spf", "dmarc", "dkim", "dkim-pending", "return-path"]);
    await server.update(withoutRecord(rotatingZones, (r) => r.name === pendingKey.dkimHost));
    const r = await verifyDomain(t, { dns: reader() });
    expect(r.checks.filter((c) => !c.ok).map((c) => [c.check, c.subject])).toEqual([["dkim-pending", `${pendingKey.dkimHost} TXT`]]);
  });

  it("retries Postmark verifyDkim until verified, bounded, then checks the six outputs", async () => {
    let dkimCalls = 0;
    const pm: PostmarkDomainVerifier = {
      verifyDkim: async () => ({ Name: devDomain, DKIMVerified: ++dkimCalls >= 2, DKIMUpdateStatus: dkimCalls >= 2 ? "Verified" : "Pending" }) as DomainDetails,
      verifyReturnPath: async () => ({ Name: devDomain, ReturnPathDomainVerified: true }) as DomainDetails,
    };
    const r = await verifyDomain(target(), {
      dns: reader(),
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
    const r = await verifyDomain(target(), { dns: reader(), postmark: pm, attempts: 2, sleep: async () => undefined });
    expect(r.checks.find((c) => c.check === "postmark-dkim")).toMatchObject({ ok: false, seen: "pending (DKIMUpdateStatus Pending) after 2 calls" });
  });
});

// As in Route53, the parent zone and the partition zone live on different name servers: the
// parent's delegation can be removed or go stale while the partition zone itself still answers.
maybe("NS delegation read from the parent zone's own server (two knotd)", () => {
  let parent: DnsServer;
  let child: DnsServer;
  let zones: Zone[];
  const isParent = (z: Zone): boolean => z.name === platform.mailRootDomain;
  beforeAll(async () => {
    zones = zonesFromPlacement(platform, entries);
    [parent, child] = await Promise.all([startDnsServer(zones.filter(isParent)), startDnsServer(zones.filter((z) => !isParent(z)))]);
  });
  afterAll(async () => Promise.all([parent?.stop(), child?.stop()]));
  afterEach(async () => parent.update(zones.filter(isParent)));

  const delegationOf = async (opts: { parentServer?: string; timeoutMs?: number } = {}) => {
    const r = await verifyDomain(partitionTarget(platform, dev, entries.get(devDomain)!), { dns: dnsReader(child.address, { parentServer: parent.address, tries: 1, ...opts }) });
    return r.checks.find((c) => c.check === "ns-delegation")!;
  };
  const devServers = ["1", "2", "3", "4"].map((i) => `ns-${i}-dev-ardamails-com.sandbox-route53.test`);

  it("passes on the parent's referral when it names the zone's own name servers", async () => {
    const ns = await delegationOf();
    expect(ns).toMatchObject({ ok: true, note: undefined, subject: "dev.ardamails.com NS (delegation in ardamails.com)" });
    expect(ns.seen).toBe(`ardamails.com (${parent.address}) delegates to 4: ${devServers.join(", ")}`);
  });

  it("fails when only the parent's delegation is missing, though the zone itself still answers", async () => {
    await parent.update(withoutRecord(zones.filter(isParent), (r) => r.type === "NS" && r.name === devDomain));
    const ns = await delegationOf();
    expect(ns.ok).toBe(false);
    expect(ns.seen).toBe(`ardamails.com does not delegate dev.ardamails.com: its server ${parent.address} answered NXDOMAIN with no NS for dev.ardamails.com`);
  });

  it("fails a stale delegation: the parent names other name servers than the zone serves", async () => {
    await parent.update(withRecordValues(zones.filter(isParent), (r) => r.type === "NS" && r.name === devDomain, ["ns-old-1.sandbox-route53.test", "ns-old-2.sandbox-route53.test"]));
    const ns = await delegationOf();
    expect(ns.ok).toBe(false);
    expect(ns.seen).toBe(`ardamails.com (${parent.address}) delegates to 2: ns-old-1.sandbox-route53.test, ns-old-2.sandbox-route53.test; but the zone serves 4: ${devServers.join(", ")}`);
  });

  it("fails a delegation to a single name server", async () => {
    await parent.update(withRecordValues(zones.filter(isParent), (r) => r.type === "NS" && r.name === devDomain, [devServers[0]]));
    const ns = await delegationOf();
    expect(ns.ok).toBe(false);
    expect(ns.seen).toBe(`ardamails.com (${parent.address}) delegates to 1: ${devServers[0]}; but the zone serves 4: ${devServers.join(", ")}`);
  });

  it("names the parent's unreachable server", async () => {
    const ns = await delegationOf({ parentServer: "127.0.0.1:9", timeoutMs: 300 });
    expect(ns.ok).toBe(false);
    expect(ns.seen).toBe("no server of ardamails.com answered for its delegation of dev.ardamails.com (127.0.0.1:9: no answer from 127.0.0.1:9 within 300 ms)");
  });

  it("without --parent-server, finds the parent's name servers through the resolver and says when they have no address", async () => {
    const r = await verifyDomain(partitionTarget(platform, dev, entries.get(devDomain)!), { dns: dnsReader(parent.address, { tries: 1 }) });
    const ns = r.checks.find((c) => c.check === "ns-delegation")!;
    expect(ns.ok).toBe(false);
    expect(ns.seen).toMatch(/^no address for any name server of ardamails\.com \(ns-1-ardamails-com\.sandbox-route53\.test, .*\); name its server with --parent-server <ip:port>$/);
  });
});

describe("dnsReader", () => {
  it("tells an unreachable DNS server from a missing record", async () => {
    const r = await verifyDomain(partitionTarget(platform, dev, entries.get(devDomain)!), { dns: dnsReader("127.0.0.1:9", { timeoutMs: 300, tries: 1 }) });
    expect(r.checks.find((c) => c.check === "spf")!.seen).toMatch(/^TXT query for dev\.ardamails\.com failed: (ECONNREFUSED|ETIMEOUT) \(DNS server unreachable or failing\)$/);
  });

  it("refuses a malformed --resolver or --parent-server", () => {
    expect(() => dnsReader("localhost:53")).toThrow('--resolver "localhost:53": expected <ip>:<port> or <ip> (e.g. 127.0.0.1:5353)');
    expect(() => dnsReader("127.0.0.1:53", { parentServer: "ns1.example" })).toThrow('--parent-server "ns1.example": expected <ip>:<port> or <ip> (e.g. 127.0.0.1:5353)');
  });
});
