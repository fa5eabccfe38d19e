import * as fs from "node:fs";
import { partitionTarget, corporateTarget, registerDomain } from "./register";
import { loadPlatform } from "../platform/load";
import { corporateDomain, activePartitions, partitionDomain, findPartition, partitionKeyRegistryRef } from "../platform/names";
import { readContext, requireMailEntry, corporateContextKey, partitionContextKey, type MailContextEntry } from "../platform/mail-context";
import { startSandboxEnvironment, type SandboxEnvironment } from "../sandbox/env";
import { zonesFromPlacement } from "../sandbox/dns/platform-zones";
import { withRecordValues, type Zone } from "../sandbox/dns/zone";
import { PostmarkClient } from "../lib/postmark/client";
import { FileSecretStore } from "../lib/secrets";
import { dnsReader } from "../lib/dns/reader";
import { partitionTarget as verifyTarget, verifyDomain } from "./verify";
import { CI_VAULT, ciPostmarkTokenRef, detectDrift, formatDrift, type DriftDeps } from "./drift";

const platform = loadPlatform("sandbox");
let env: SandboxEnvironment;
let client: PostmarkClient;
let zones: Zone[];
let contextText: string;

function deps(overrides: Partial<DriftDeps> = {}): DriftDeps {
  return {
    platform,
    context: readContext(env.contextFile),
    secrets: new FileSecretStore(env.secretsFile),
    dns: dnsReader(env.dns!.address, { parentServer: env.dns!.parentAddress }),
    getDomain: (_t, id) => client.getDomain(id),
    ...overrides,
  };
}

function entries(): Map<string, MailContextEntry> {
  const ctx = readContext(env.contextFile);
  const m = new Map<string, MailContextEntry>();
  m.set(corporateDomain(platform), requireMailEntry(ctx, corporateContextKey(platform), corporateDomain(platform), env.contextFile));
  for (const p of activePartitions(platform)) m.set(partitionDomain(platform, p), requireMailEntry(ctx, partitionContextKey(p), partitionDomain(platform, p), env.contextFile));
  return m;
}

beforeAll(async () => {
  env = await startSandboxEnvironment({ platform });
  if (!env.dns) throw new Error("drift tests need Knot DNS (apt-get install knot)");
  client = new PostmarkClient({ accountToken: env.sandbox.accountToken, apiUrl: env.sandbox.url });
  const targets = [corporateTarget(platform), ...activePartitions(platform).map((p) => partitionTarget(platform, p.infrastructure, p.name))];
  for (const t of targets) await registerDomain({ target: t, client, contextFile: env.contextFile, dryRun: false, update: false, progress: () => undefined });
  zones = zonesFromPlacement(platform, entries());
  await env.dns.update(zones);
  // Postmark verifies once the records are served (the first verifyDkim is still pending).
  for (const e of entries().values()) {
    for (let i = 0; i < 3; i++) await client.verifyDkim(e.domainId);
    await client.verifyReturnPath(e.domainId);
  }
  contextText = fs.readFileSync(env.contextFile, "utf8");
});
afterAll(async () => env?.close());
afterEach(async () => {
  fs.writeFileSync(env.contextFile, contextText);
  await env.dns!.update(zones);
});

describe("drift on the sandbox (Postmark sandbox + Knot DNS on loopback)", () => {
  it("reports no drift when Postmark, DNS, placement and context agree", async () => {
    const r = await detectDrift(deps());
    expect(formatDrift(r)).toContain("no drift");
    expect(r.assets.map((a) => [a.asset, a.items])).toEqual([
      ["corporate", []],
      ["partition:Alpha002/dev", []],
      ["partition:Alpha002/stage", []],
      ["partition:Alpha001/demo", []],
      ["partition:Alpha001/prod", []],
    ]);
  });

  it("--instance-group limits the assets", async () => {
    expect((await detectDrift(deps(), ["corporate"])).assets.map((a) => a.asset)).toEqual(["corporate"]);
    expect((await detectDrift(deps(), ["runtime-platform"])).assets).toHaveLength(4);
  });

  it("reports exactly the changed DNS record", async () => {
    await env.dns!.update(withRecordValues(zones, (r) => r.name === "pm-bounces.stage.ardamails.com", ["elsewhere.example.net"]));
    const r = await detectDrift(deps());
    const drifted = r.assets.filter((a) => a.drifted);
    expect(drifted.map((a) => a.asset)).toEqual(["partition:Alpha002/stage"]);
    expect(drifted[0].items).toEqual([{ kind: "dns:return-path", subject: "pm-bounces.stage.ardamails.com CNAME", expected: '"pm.mtasv.net"', seen: '"elsewhere.example.net"' }]);
  });

  it("reports exactly the edited context entry", async () => {
    const doc = JSON.parse(contextText);
    doc.context["partitionMail:Alpha001:demo"].returnPathDomain = "bounces.demo.ardamails.com";
    fs.writeFileSync(env.contextFile, JSON.stringify(doc));
    const r = await detectDrift(deps());
    const drifted = r.assets.filter((a) => a.drifted);
    expect(drifted.map((a) => a.asset)).toEqual(["partition:Alpha001/demo"]);
    expect(drifted[0].items).toEqual([
      { kind: "context", subject: "partitionMail:Alpha001:demo.returnPathDomain", expected: "pm-bounces.demo.ardamails.com (Postmark)", seen: "bounces.demo.ardamails.com" },
    ]);
  });

  it("reports a missing 1Password item (the key registry)", async () => {
    const p = findPartition(platform, "Alpha002", "dev");
    const store = new FileSecretStore(env.secretsFile);
    const r = await detectDrift(
      deps({
        secrets: {
          description: store.description,
          read: (ref) => store.read(ref),
          write: (a, b) => store.write(a, b),
          update: (a, f) => store.update(a, f),
          exists: async (ref) => ref !== partitionKeyRegistryRef(p) && store.exists(ref),
        },
      }),
      ["runtime-platform"],
    );
    expect(r.assets.filter((a) => a.drifted).map((a) => [a.asset, a.items])).toEqual([
      ["partition:Alpha002/dev", [{ kind: "secret", subject: "op://Arda-DevOAM/EmailEncryptionKey/registry", expected: `1Password item exists (${store.description})`, seen: "missing" }]],
    ]);
  });
  it("reports a DKIM rotation as one item at each step until the old key may go", async () => {
    const dev = entries().get("dev.ardamails.com")!;
    const key = "partitionMail:Alpha002:dev";
    const devDrift = async (): Promise<Array<[string, string, string]>> => {
      const r = await detectDrift(deps());
      expect(r.assets.filter((a) => a.drifted).map((a) => a.asset)).toEqual(r.drifted ? ["partition:Alpha002/dev"] : []);
      return r.assets.flatMap((a) => a.items.map((i): [string, string, string] => [i.kind, i.subject, i.seen]));
    };
    const register = () => registerDomain({ target: partitionTarget(platform, "Alpha002", "dev"), client, contextFile: env.contextFile, dryRun: false, update: true, progress: () => undefined });
    const deploy = () => env.dns!.update(zonesFromPlacement(platform, entries()));
    // Last test: the rotation is not undone (Postmark has no "un-rotate").
    const rotated = await client.rotateDkim(dev.domainId);
    const next = rotated.DKIMPendingHost.split("._domainkey.")[0];
    const old = dev.dkimSelector;

    expect(await devDrift()).toEqual([["postmark-rotation", `${key} DKIM keys`, `signing ${old}: publish pending ${next} — re-register with --update, deploy, verify`]]);
    await register();
    expect(await devDrift()).toEqual([["dns:dkim-pending", `${rotated.DKIMPendingHost} TXT`, expect.stringMatching(/^no TXT record at /)]]);
    await deploy();
    expect(await devDrift()).toEqual([]);

    // Postmark sees the pending key and signs with it: DNS already serves both, only the roles changed.
    // verify waits for that switch, not just DKIMVerified (which stays true through a rotation).
    const verifyDev = (attempts: number) =>
      verifyDomain(verifyTarget(platform, findPartition(platform, "Alpha002", "dev"), entries().get("dev.ardamails.com")!), {
        dns: deps().dns,
        postmark: client,
        attempts,
        sleep: async () => undefined,
      });
    const early = (await verifyDev(1)).checks.find((c) => c.check === "postmark-dkim")!;
    expect(early).toMatchObject({ ok: false, seen: `rotation: Postmark has not switched to the pending key ${next} yet after 1 calls` });
    const switched = await verifyDev(5);
    expect(switched.checks.filter((c) => !c.ok)).toEqual([]);
    expect(switched.checks.find((c) => c.check === "postmark-dkim")!.seen).toBe("verified (call 1 of at most 5)");
    expect(await client.getDomain(dev.domainId)).toMatchObject({ DKIMHost: rotated.DKIMPendingHost, SafeToRemoveRevokedKeyFromDNS: false });
    expect(await devDrift()).toEqual([["postmark-rotation", `${key} DKIM keys`, `signing ${old}, pending ${next}: DNS already right, the roles changed — re-register with --update, deploy, verify`]]);
    await register();
    expect(await devDrift()).toEqual([]);

    // Postmark says the old key is safe to remove.
    expect((await client.verifyDkim(dev.domainId)).SafeToRemoveRevokedKeyFromDNS).toBe(true);
    expect(await devDrift()).toEqual([["postmark-rotation", `${key} DKIM keys`, `signing ${next}, revoked ${old}: remove ${old} — re-register with --update, deploy, verify`]]);
    await register();
    await deploy();
    expect(await devDrift()).toEqual([]);
    expect(entries().get("dev.ardamails.com")).toEqual({ ...dev, dkimSelector: next, dkimHost: rotated.DKIMPendingHost, dkimPublicKey: rotated.DKIMPendingTextValue });
    // The next test run starts from this context, not the one committed before the rotation.
    contextText = fs.readFileSync(env.contextFile, "utf8");
    zones = zonesFromPlacement(platform, entries());
  });
});

describe("drift in CI mode (DQ-R1-007: CI's 1Password token reads only Arda-SystemsOAM)", () => {
  it("reads only Arda-SystemsOAM — CI's own Postmark tokens — and says the deploy-time items were not checked", async () => {
    const touched: string[] = [];
    const store = {
      description: "recording store",
      read: async (ref: string) => {
        touched.push(ref);
        if (ref.startsWith(`op://${CI_VAULT}/Drift-`)) return env.sandbox.accountToken;
        throw new Error(`no ${ref}`);
      },
      exists: async (ref: string) => (touched.push(ref), true),
      write: async () => undefined,
      update: async () => "",
    };
    const r = await detectDrift(deps({ secrets: store, ci: true }));
    expect(r.drifted).toBe(false);
    expect(r.secretsChecked).toBe(false);
    expect(formatDrift(r)).toContain("no drift (CI mode: deploy-time 1Password items not checked)");
    expect([...new Set(touched)].sort()).toEqual([ciPostmarkTokenRef("PostmarkNonProd"), ciPostmarkTokenRef("PostmarkProd")].sort());
    expect(ciPostmarkTokenRef("PostmarkProd")).toBe("op://Arda-SystemsOAM/Drift-PostmarkProd/credential");
  });

  it("names the missing CI token item when it is not there", async () => {
    const r = await detectDrift(deps({ ci: true }), ["corporate"]);
    expect(r.assets[0].items).toEqual([
      { kind: "postmark", subject: corporateDomain(platform), expected: "Postmark domain readable", seen: `account token ${ciPostmarkTokenRef("PostmarkProd")} does not resolve` },
    ]);
  });
});
