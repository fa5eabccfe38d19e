import { loadPlatform } from "../../platform/load";
import { startSandboxEnvironment, type SandboxEnvironment } from "../../sandbox/env";
import { regularFilesText } from "../../sandbox/canary";
import { withoutRecord, withRecordValues, type Zone } from "../../sandbox/dns/zone";
import type { DriftReport } from "../../flows/drift";
import type { VerifyReport } from "../../flows/verify";
import { runInProcess } from "../../testing/cli";
import { registerAndServe } from "../../testing/registered-sandbox";
import Drift from "./drift";
import Verify from "./verify/index";
import VerifyCorporate from "./verify/corporate";

const platform = loadPlatform("sandbox");
let env: SandboxEnvironment;
let zones: Zone[];
const outputs: string[] = [];
let common: string[];

async function run<T>(cmd: Parameters<typeof runInProcess>[0], argv: string[]) {
  const o = await runInProcess<T>(cmd, [...argv, ...common, "--json"]);
  outputs.push(o.stdout, o.stderr);
  return { ...o, json: (o.result ?? JSON.parse(o.stdout)) as T };
}

beforeAll(async () => {
  env = await startSandboxEnvironment({ platform });
  zones = await registerAndServe(env, platform); // throws unless Knot DNS runs
  common = [...env.baseFlags, "--resolver", env.dns!.address, "--parent-server", env.dns!.parentAddress];
});
afterAll(async () => {
  const everything = outputs.join("\n") + regularFilesText(env.dir, [env.secretsFile]);
  for (const s of env.secretValues) expect(everything).not.toContain(s);
  await env?.close();
});
afterEach(async () => env.dns!.update(zones));

describe("arda-mail verify", () => {
  it("passes against the real DNS server and the Postmark sandbox (Postmark verify calls, bounded)", async () => {
    const o = await run<VerifyReport>(Verify, ["Alpha002", "dev", "--delay-ms", "20"]);
    expect(o.code).toBe(0);
    expect(o.json.ok).toBe(true);
    expect(o.json.checks.find((c) => c.check === "postmark-dkim")!.seen).toMatch(/^verified \(call \d of at most 5\)$/);
    expect(o.stderr).toContain("PASS dkim");
  });

  it("fails with expected and seen when the DKIM record is altered", async () => {
    await env.dns!.update(withRecordValues(zones, (r) => r.name.includes("._domainkey.stage."), [["k=rsa;p=AAAA"]]));
    const o = await run<{ error: { message: string } }>(Verify, ["Alpha002", "stage", "--no-postmark"]);
    expect(o.code).toBe(1);
    expect(o.stderr).toMatch(/FAIL dkim\s+\d+pm\._domainkey\.stage\.ardamails\.com TXT/);
    expect(o.stderr).toContain('seen:     "k=rsa;p=AAAA"');
    expect(o.json.error.message).toMatch(/^verify Alpha002\/stage failed: dkim \(\d+pm\._domainkey\.stage\.ardamails\.com TXT: expected "k=rsa;p=/);
  });

  it("fails when the mail root no longer delegates the partition, though the partition zone still answers", async () => {
    await env.dns!.update(withoutRecord(zones, (r) => r.type === "NS" && r.name === "prod.ardamails.com"));
    const o = await run<{ error: { message: string } }>(Verify, ["Alpha001", "prod", "--no-postmark"]);
    expect(o.code).toBe(1);
    expect(o.stderr).toMatch(/FAIL ns-delegation\s+prod\.ardamails\.com NS \(delegation in ardamails\.com\)/);
    expect(o.stderr).toContain(`seen:     ardamails.com does not delegate prod.ardamails.com: its server ${env.dns!.parentAddress} answered NXDOMAIN with no NS for prod.ardamails.com`);
    // Every other check passes: the zone itself is served as before.
    expect(o.stderr).toContain("PASS dkim");
    expect(o.stderr).not.toMatch(/FAIL (spf|dmarc|dkim|return-path)/);
  });

  it("fails when a record is removed, and verify corporate passes", async () => {
    await env.dns!.update(withoutRecord(zones, (r) => r.name === "_dmarc.demo.ardamails.com"));
    const o = await run<{ error: { message: string } }>(Verify, ["Alpha001", "demo", "--no-postmark"]);
    expect(o.code).toBe(1);
    expect(o.json.error.message).toContain(
      'dmarc (_dmarc.demo.ardamails.com TXT: expected "v=DMARC1; p=quarantine; sp=quarantine; rua=mailto:dmarc-reports@arda.cards", seen no TXT record at _dmarc.demo.ardamails.com',
    );
    const c = await run<VerifyReport>(VerifyCorporate, ["--delay-ms", "20"]);
    expect(c.code).toBe(0);
    expect(c.json.sendingDomain).toBe("arda.ardamails.com");
  });

  it("refuses a malformed --resolver or --parent-server", async () => {
    const o = await runInProcess(Verify, ["Alpha002", "dev", ...common.slice(0, -4), "--resolver", "dns.example"]);
    expect(o.code).toBe(2);
    expect(o.stderr).toContain('--resolver "dns.example": expected <ip>:<port> or <ip>');
    const p = await runInProcess(Verify, ["Alpha002", "dev", ...common.slice(0, -2), "--parent-server", "ns1.example:53"]);
    expect(p.code).toBe(2);
    expect(p.stderr).toContain('--parent-server "ns1.example:53": expected <ip>:<port> or <ip>');
    expect(p.stderr).toContain("Next: pass --resolver / --parent-server as <ip>:<port>");
  });
});

describe("arda-mail drift", () => {
  it("exits 0 with no drift once everything is verified, 1 with the drifted asset when DNS changes", async () => {
    const ok = await run<DriftReport>(Drift, []);
    expect(ok.code).toBe(0);
    expect(ok.json.drifted).toBe(false);
    await env.dns!.update(withRecordValues(zones, (r) => r.name === "prod.ardamails.com" && r.type === "TXT", [["v=spf1 -all"]]));
    const bad = await run<DriftReport>(Drift, ["--instance-group", "runtime-platform"]);
    expect(bad.code).toBe(1);
    expect(bad.json.assets.filter((a) => a.drifted).map((a) => [a.asset, a.items.map((i) => i.kind)])).toEqual([["partition:Alpha001/prod", ["dns:spf"]]]);
    expect(bad.stderr).toContain("Error: drift in partition:Alpha001/prod");
  });
});
