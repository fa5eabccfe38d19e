/**
 * `register` for the REAL platform's four partitions against Postmark accounts that already hold their
 * domains, as the 2026-05-26 rollout registered them (operator log): dev 20260526234343pm and stage
 * 20260527011224pm on PostmarkNonProd, demo 20260527004920pm and prod 20260527061409pm on PostmarkProd,
 * Return-Path pm-bounces.<domain>, DKIM and Return-Path verified. Two sandboxes stand for the two
 * accounts (one token each); the domain ids are the sandboxes' (the log does not record Postmark's).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadPlatform, ROOT_ACCOUNT_ENV } from "../../platform/load";
import { readContext } from "../../platform/mail-context";
import { activePartitions, partitionPostmarkTokenRef } from "../../platform/names";
import { startSandbox, type RunningSandbox } from "../../sandbox/postmark/server";
import { generateDkimValue, type PersistedState, type StoredDomain } from "../../sandbox/postmark/state";
import type { RegisterResult } from "../../flows/register";
import { filesText, runInProcess } from "../../testing/cli";
import Register from "./register";

const TOKENS = { PostmarkNonProd: "canary-nonprod-token-2b7e41c9", PostmarkProd: "canary-prod-token-8d03f5a6" } as const;
const LIVE = [
  { infra: "Alpha002", partition: "dev", account: "PostmarkNonProd", selector: "20260526234343pm", id: 4_101_001 },
  { infra: "Alpha002", partition: "stage", account: "PostmarkNonProd", selector: "20260527011224pm", id: 4_101_002 },
  { infra: "Alpha001", partition: "demo", account: "PostmarkProd", selector: "20260527004920pm", id: 5_202_001 },
  { infra: "Alpha001", partition: "prod", account: "PostmarkProd", selector: "20260527061409pm", id: 5_202_002 },
] as const;

describe("register on the real platform finds the partitions' existing Postmark domains", () => {
  let dir: string;
  let secretsFile: string;
  let contextFile: string;
  const sandboxes: Partial<Record<keyof typeof TOKENS, RunningSandbox>> = {};
  const keys: Record<string, string> = {};
  const saved = { ...process.env };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "register-live-"));
    for (const account of Object.keys(TOKENS) as Array<keyof typeof TOKENS>) {
      const domains: StoredDomain[] = [];
      for (const l of LIVE.filter((x) => x.account === account)) {
        const name = `${l.partition}.ardamails.com`;
        keys[name] = await generateDkimValue(1024);
        domains.push({
          ID: l.id,
          Name: name,
          ReturnPathDomain: `pm-bounces.${name}`,
          ReturnPathDomainVerified: true,
          current: { selector: l.selector, value: keys[name] },
          dkimEverVerified: true,
          pendingVerifyCalls: 0,
          safeToRemoveRevoked: false,
          lastSelector: l.selector,
        });
      }
      // The account as the rollout left it, loaded by the sandbox from its state file.
      const statePath = path.join(dir, `${account}.state.json`);
      const state: PersistedState = { version: 1, nextDomainId: Math.max(...domains.map((d) => d.ID)) + 1, nextServerId: 1, domains, servers: [], dns: [] };
      fs.writeFileSync(statePath, JSON.stringify(state));
      sandboxes[account] = await startSandbox({ accountToken: TOKENS[account], statePath, dkimBits: 1024 });
    }
    // The 1Password stand-in: each partition's vault reference resolves to its account's token.
    const platform = loadPlatform("arda", { env: { [ROOT_ACCOUNT_ENV]: "111122223333" } });
    // The model puts each partition on the account the log registered it on.
    expect(activePartitions(platform).map((p) => [p.infrastructure, p.name, p.postmarkAccount])).toEqual(LIVE.map((l) => [l.infra, l.partition, l.account]));
    secretsFile = path.join(dir, "secrets.json");
    fs.writeFileSync(secretsFile, JSON.stringify(Object.fromEntries(activePartitions(platform).map((p) => [partitionPostmarkTokenRef(p), TOKENS[p.postmarkAccount as keyof typeof TOKENS]]))));
    contextFile = path.join(dir, "cdktf.json");
    fs.writeFileSync(contextFile, `{\n  "language": "typescript",\n  "app": "node dist/main.js",\n  "context": {}\n}\n`);
    process.env[ROOT_ACCOUNT_ENV] = "111122223333";
  });
  afterAll(async () => {
    process.env = saved;
    for (const s of Object.values(sandboxes)) await s!.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const register = (l: (typeof LIVE)[number], extra: string[] = []) =>
    runInProcess<RegisterResult>(Register, [
      l.infra,
      l.partition,
      "--platform",
      "arda",
      "--secrets",
      `file:${secretsFile}`,
      "--postmark-url",
      sandboxes[l.account]!.url,
      "--context-file",
      contextFile,
      "--json",
      ...extra,
    ]);

  test.each(LIVE)("$infra $partition: the existing domain on $account, its live selector and id, nothing created", async (l) => {
    const domain = `${l.partition}.ardamails.com`;
    const sandbox = sandboxes[l.account]!;
    await sandbox.admin.clearRequests();
    const o = await register(l);
    expect(o.code).toBe(0);
    expect(o.stderr).toContain(`${l.infra}/${l.partition}: looking for ${domain} in Postmark (${l.account})…`);
    expect(o.stderr).toContain(`${l.infra}/${l.partition}: ${domain} already exists (ID ${l.id}) — using it, not creating a second one`);
    expect(o.stderr).toContain(`${l.infra}/${l.partition}: wrote partitionMail:${l.infra}:${l.partition} to ${contextFile} (DKIM current key ${l.selector})`);
    const entry = {
      domainId: l.id,
      dkimSelector: l.selector,
      dkimPublicKey: keys[domain],
      dkimHost: `${l.selector}._domainkey.${domain}`,
      returnPathDomain: `pm-bounces.${domain}`,
      returnPathTarget: "pm.mtasv.net",
    };
    expect(JSON.parse(o.stdout)).toMatchObject({ postmark: "found", context: "written", dkimKey: "current", entry });
    expect(readContext(contextFile)[`partitionMail:${l.infra}:${l.partition}`]).toEqual(entry);
    // Postmark was only read: listed, then the domain's details — no POST /domains, no Return-Path edit.
    expect((await sandbox.admin.requests()).map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([`GET /domains 200`, `GET /domains/${l.id} 200`]);
    expect((await sandbox.admin.state()).domains.map((d) => d.Name)).toEqual(LIVE.filter((x) => x.account === l.account).map((x) => `${x.partition}.ardamails.com`));
  });

  test("the four entries are the live ones; a second run changes nothing; no token in any output or file", async () => {
    const context = readContext(contextFile);
    expect(LIVE.map((l) => (context[`partitionMail:${l.infra}:${l.partition}`] as { dkimSelector: string }).dkimSelector)).toEqual([
      "20260526234343pm",
      "20260527011224pm",
      "20260527004920pm",
      "20260527061409pm",
    ]);
    const before = fs.readFileSync(contextFile, "utf8");
    for (const l of LIVE) {
      const o = await register(l);
      expect(JSON.parse(o.stdout)).toMatchObject({ postmark: "found", context: "unchanged" });
      expect(o.stderr).toContain(`${l.infra}/${l.partition}: partitionMail:${l.infra}:${l.partition} is up to date — nothing changed`);
      for (const t of Object.values(TOKENS)) expect(o.stdout + o.stderr).not.toContain(t);
    }
    expect(fs.readFileSync(contextFile, "utf8")).toBe(before);
    for (const t of Object.values(TOKENS)) expect(filesText(dir, [secretsFile])).not.toContain(t);
  });
});
