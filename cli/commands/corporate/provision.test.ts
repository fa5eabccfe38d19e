import * as fs from "node:fs";
import { FileSecretStore } from "../../../lib/secrets";
import { CANARY_TOKEN, filesText, runInProcess, startHarness, type Harness } from "../../../testing/cli";
import CorporateProvision from "./provision";

const ITEM = "op://Arda-CorporateOAM/Free-Kanban-Generator-Postmark-Server/credential";

describe("arda-mail corporate provision (DQ-R1-013, DQ-R1-016)", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await h.close();
  });
  const serverTokens = async (): Promise<string[]> => (await h.sandbox.admin.state()).servers.flatMap((s: { ApiTokens: string[] }) => s.ApiTokens);
  const run = (extra: string[] = []) => runInProcess(CorporateProvision, ["free-kanban", ...h.flags, "--postmark-retries", "2", "--op-backoff-ms", "1", ...extra]);

  test("creates the server (SMTP on), stores its token in 1Password only, then writes public values; re-run is a no-op", async () => {
    const o = await run(["--json"]);
    expect(o.code).toBe(0);
    const [token] = await serverTokens();
    const secrets = JSON.parse(fs.readFileSync(h.secretsFile, "utf8"));
    expect(secrets[ITEM]).toBe(token);
    const state = await h.sandbox.admin.state();
    expect(state.servers[0]).toMatchObject({ Name: "Free-Kanban-Generator", SmtpApiActivated: true });
    const ctx = JSON.parse(fs.readFileSync(h.contextFile, "utf8")).context;
    expect(ctx["corporateAsset:free-kanban"]).toEqual({ serverId: state.servers[0].ID, serverName: "Free-Kanban-Generator", domain: "freekanban.arda.ardamails.com", serverTokenRef: ITEM });
    expect(JSON.parse(o.stdout)).toMatchObject({ action: "provisioned" });
    expect(o.stdout + o.stderr).not.toContain(token);
    expect(filesText(h.dir, [h.secretsFile])).not.toContain(token);
    const again = await run();
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("already provisioned");
    expect((await h.sandbox.admin.state()).servers).toHaveLength(1);
  });

  test("conflict check: an existing server, leaf domain or 1Password item stops it before any change", async () => {
    fs.writeFileSync(h.secretsFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(h.secretsFile, "utf8")), [ITEM]: "someone-elses-token-0000" }));
    const { PostmarkClient } = await import("../../../lib/postmark/client");
    const client = new PostmarkClient({ accountToken: CANARY_TOKEN, apiUrl: h.sandbox.url });
    await client.createDomain({ Name: "freekanban.arda.ardamails.com" });
    const before = fs.readFileSync(h.contextFile, "utf8");
    const o = await run();
    expect(o.code).not.toBe(0);
    expect(o.stderr).toContain("free-kanban: name conflict, nothing was changed:");
    expect(o.stderr).toContain('Postmark domain "freekanban.arda.ardamails.com" exists');
    expect(o.stderr).toContain(`1Password item ${ITEM} already exists`);
    expect((await h.sandbox.admin.state()).servers).toHaveLength(0);
    expect(fs.readFileSync(h.contextFile, "utf8")).toBe(before);
    expect(o.stdout + o.stderr).not.toContain("someone-elses-token-0000");
  });

  test("1Password write failing permanently: non-zero, redacted summary, both recovery paths, context untouched; --resume recovers", async () => {
    // A 1Password outage cannot be produced here: the secret store's write is made to fail.
    const outage = jest.spyOn(FileSecretStore.prototype, "write").mockRejectedValue(new Error("1Password is unavailable (simulated outage)"));
    const before = fs.readFileSync(h.contextFile, "utf8");
    const o = await run(["--op-attempts", "3", "--json"]);
    expect(o.code).not.toBe(0);
    const [token] = await serverTokens();
    expect(token).toBeTruthy();
    expect(o.stdout + o.stderr).not.toContain(token);
    expect(o.stderr).toContain("could not store the server token in 1Password after 3 attempts");
    expect(o.stderr).toContain(`server token:    ${token.slice(0, 4)}…(${token.length} chars) — NOT stored`);
    expect(o.stderr).toContain("(1) keep the server: `arda-mail corporate provision free-kanban --resume`");
    expect(o.stderr).toContain('(2) start over: delete server "Free-Kanban-Generator"');
    expect(o.stderr).toMatch(/attempt 2\/3/);
    expect(JSON.parse(o.stdout).error).toMatchObject({ tokenStored: false, contextWritten: false, serverTokenRef: ITEM });
    expect(fs.readFileSync(h.contextFile, "utf8")).toBe(before);
    expect(JSON.parse(fs.readFileSync(h.secretsFile, "utf8"))[ITEM]).toBeUndefined();
    expect(filesText(h.dir, [h.secretsFile])).not.toContain(token);

    // A plain re-run refuses (the server name is taken) and points at --resume.
    outage.mockRestore();
    const plain = await run();
    expect(plain.code).not.toBe(0);
    expect(plain.stderr).toContain("--resume");
    const r = await run(["--resume"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(h.secretsFile, "utf8"))[ITEM]).toBe(token);
    expect(JSON.parse(fs.readFileSync(h.contextFile, "utf8")).context["corporateAsset:free-kanban"].serverName).toBe("Free-Kanban-Generator");
    expect(r.stdout + r.stderr).not.toContain(token);
  });

  test("a hand-edited corporateAsset entry of the wrong shape is refused, naming file, key and field, before any change", async () => {
    const doc = JSON.parse(fs.readFileSync(h.contextFile, "utf8"));
    doc.context["corporateAsset:free-kanban"] = { serverId: "7", serverName: "Free-Kanban-Generator", domain: "freekanban.arda.ardamails.com", serverTokenRf: ITEM };
    fs.writeFileSync(h.contextFile, JSON.stringify(doc, null, 2));
    const before = fs.readFileSync(h.contextFile, "utf8");
    const o = await run();
    expect(o.code).not.toBe(0);
    expect(o.stderr).toContain(
      [
        `Invalid CDKTF context entry "corporateAsset:free-kanban" in ${h.contextFile} (fix it, or delete it and run \`arda-mail corporate provision free-kanban --resume\` to write it again from Postmark):`,
        '  - corporateAsset:free-kanban.serverId: required, the Postmark server id (a positive integer), not "7"',
        "  - corporateAsset:free-kanban.serverTokenRef: required, a non-empty string",
        '  - corporateAsset:free-kanban.serverTokenRf: unknown field (did you mean "serverTokenRef"?); known: serverId, serverName, domain, serverTokenRef',
      ].join("\n"),
    );
    expect((await h.sandbox.admin.state()).servers).toHaveLength(0);
    expect(fs.readFileSync(h.contextFile, "utf8")).toBe(before);
  });

  test("a transient 1Password failure is retried with backoff and succeeds", async () => {
    jest.spyOn(FileSecretStore.prototype, "write").mockRejectedValueOnce(new Error("1Password timed out")).mockRejectedValueOnce(new Error("1Password timed out"));
    const o = await run(["--op-attempts", "4"]);
    expect(o.code).toBe(0);
    expect(o.stderr).toContain("1Password write failed (attempt 1/4)");
    expect(o.stderr).toContain("token written to");
  });

  test("a dropped connection after Postmark created the server: found by name, not duplicated, token still stored", async () => {
    await h.sandbox.admin.injectFault({ kind: "drop", method: "POST", pathPrefix: "/servers", phase: "after", count: 1 });
    const o = await run();
    expect(o.code).toBe(0);
    const state = await h.sandbox.admin.state();
    expect(state.servers).toHaveLength(1);
    expect(JSON.parse(fs.readFileSync(h.secretsFile, "utf8"))[ITEM]).toBe(state.servers[0].ApiTokens[0]);
    expect(o.stdout + o.stderr).not.toContain(state.servers[0].ApiTokens[0]);
  });

  test("Postmark 401 and persistent 5xx: non-zero before any change, no canary", async () => {
    fs.writeFileSync(h.secretsFile, JSON.stringify({ "op://Arda-SystemsOAM/Postmark-Prod/credential": "not-the-right-token-xyz" }));
    const unauth = await run();
    expect(unauth.code).not.toBe(0);
    expect(unauth.stderr).toContain("Postmark rejected the account token (HTTP 401");
    expect(unauth.stdout + unauth.stderr).not.toContain("not-the-right-token-xyz");
    await h.close();
    h = await startHarness();
    await h.sandbox.admin.injectFault({ kind: "status", status: 500, count: 20 });
    const down = await run();
    expect(down.code).not.toBe(0);
    expect(down.stderr).toContain("HTTP 500");
    await h.sandbox.admin.clearFaults();
    expect((await h.sandbox.admin.state()).servers).toHaveLength(0);
  });

  test("unknown asset", async () => {
    const o = await runInProcess(CorporateProvision, ["hubspot", ...h.flags, "--postmark-retries", "2"]);
    expect(o.code).not.toBe(0);
    expect(o.stderr).toContain('unknown Corporate asset "hubspot" (known: free-kanban)');
  });
});
