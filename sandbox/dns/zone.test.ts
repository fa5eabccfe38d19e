import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadPlatform, REPO_ROOT } from "../../platform/load";
import { activePartitions, findPartition, partitionDomain, corporateDomain } from "../../platform/names";
import { corporateMailEntry, partitionMailEntry, readContext, type MailContextEntry } from "../../platform/mail-context";
import { synthPlatform } from "../../flows/synth";
import { dnsReader } from "../../lib/dns/reader";
import { partitionTarget, verifyDomain } from "../../flows/verify";
import { startDnsServer } from "./knot";
import { knotAvailable } from "../../testing/knot";
import { zonesFromSynth } from "./platform-zones";
import { renderZoneFile, txtStringsFromRoute53, withoutRecord } from "./zone";

const platform = loadPlatform("sandbox");
const contextFile = path.join(REPO_ROOT, platform.contextFile);

describe("zones from the synthesized stacks", () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "zones-synth-"));
  const synth = synthPlatform({ platform, outdir: out, contextFile, hcl: false });
  const ctx = readContext(contextFile);
  const entries = new Map<string, MailContextEntry>([[corporateDomain(platform), corporateMailEntry(platform, ctx, contextFile)]]);
  for (const p of activePartitions(platform)) entries.set(partitionDomain(platform, p), partitionMailEntry(platform, p, ctx, contextFile));
  const zones = zonesFromSynth(platform, path.join(synth.outdir, "stacks"), entries);

  it("puts each record in its zone and the NS delegations in the root zone", () => {
    expect(zones.map((z) => z.name).sort()).toEqual(["arda.ardamails.com", "ardamails.com", "demo.ardamails.com", "dev.ardamails.com", "prod.ardamails.com", "stage.ardamails.com"]);
    const root = zones.find((z) => z.name === "ardamails.com")!;
    expect(
      root.records
        .filter((r) => r.type === "NS")
        .map((r) => r.name)
        .sort(),
    ).toEqual(["arda.ardamails.com", "demo.ardamails.com", "dev.ardamails.com", "prod.ardamails.com", "stage.ardamails.com"]);
    const dev = zones.find((z) => z.name === "dev.ardamails.com")!;
    expect(dev.records.map((r) => `${r.type} ${r.name}`).sort()).toEqual([
      "CNAME pm-bounces.dev.ardamails.com",
      "TXT 20261101120000pm._domainkey.dev.ardamails.com",
      "TXT _dmarc.dev.ardamails.com",
      "TXT dev.ardamails.com",
    ]);
    // The delegation carries the same (fabricated) name servers as the child zone's apex.
    expect(root.records.find((r) => r.name === "dev.ardamails.com")!.values).toEqual(dev.nameServers);
  });

  it("renders multi-string TXT values as separate quoted strings", () => {
    expect(txtStringsFromRoute53('aaa""bbb')).toEqual(["aaa", "bbb"]);
    const text = renderZoneFile({ name: "x.test", nameServers: ["ns1.x.test"], records: [{ name: "k._domainkey.x.test", type: "TXT", ttl: 60, values: [["aaa", 'b"b']] }] });
    expect(text).toContain('k._domainkey.x.test. 60 IN TXT "aaa" "b\\"b"');
  });

  (knotAvailable() ? it : it.skip)("verify passes against knotd serving them, and names the removed record", async () => {
    const server = await startDnsServer(zones);
    try {
      const dev = findPartition(platform, "Alpha002", "dev");
      const target = partitionTarget(platform, dev, entries.get("dev.ardamails.com")!);
      expect((await verifyDomain(target, { dns: dnsReader(server.address, { parentServer: server.address }) })).ok).toBe(true);
      await server.update(withoutRecord(zones, (r) => r.name === "pm-bounces.dev.ardamails.com"));
      const r = await verifyDomain(target, { dns: dnsReader(server.address, { parentServer: server.address }) });
      expect(r.checks.filter((c) => !c.ok).map((c) => `${c.check}: ${c.seen}`)).toEqual([
        expect.stringMatching(/^return-path: no CNAME record at pm-bounces\.dev\.ardamails\.com \(ENO(TFOUND|DATA)\)$/),
      ]);
    } finally {
      await server.stop();
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
