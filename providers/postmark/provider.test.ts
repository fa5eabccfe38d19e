/**
 * End to end: the real Terraform CLI 1.11.4 installs the provider from the repository's filesystem
 * mirror (build/terraform-mirror, via terraform.rc) and drives it against the Postmark sandbox on
 * loopback. Each scenario works in its own temporary directory. The account token is a canary:
 * at the end no Terraform output, state, plan or log file may contain it.
 */
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PostmarkClient } from "../../lib/postmark/client";
import { REPO_ROOT } from "../../platform/load";
import { runTerraform, terraformEnv, TerraformResult } from "../../lib/terraform";
import { RunningSandbox, startSandbox } from "../../sandbox/postmark/server";

const CANARY = `canary-pm-account-${Math.random().toString(36).slice(2)}-token`;
const WRONG_CANARY = `wrong-canary-${Math.random().toString(36).slice(2)}-token`;
const PROVIDER_EXE = path.join(REPO_ROOT, "build/terraform-mirror/registry.terraform.io/arda-cards/postmark/0.1.0/linux_amd64/terraform-provider-postmark_v0.1.0");

let sandbox: RunningSandbox;
let client: PostmarkClient;
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), "pm-provider-e2e-"));
const outputs: string[] = [];

beforeAll(async () => {
  if (!fs.existsSync(PROVIDER_EXE) || process.env.ARDA_MAIL_REBUILD_PROVIDER === "1") {
    execFileSync(process.execPath, [path.join(REPO_ROOT, "scripts/build-provider.mjs")], { stdio: "ignore" });
  }
  sandbox = await startSandbox({ port: 0, accountToken: CANARY });
  client = new PostmarkClient({ accountToken: CANARY, apiUrl: sandbox.url, retry: { limit: 2, baseDelayMs: 50, maxDelayMs: 200 } });
});

afterAll(async () => {
  await sandbox?.close();
  fs.rmSync(tmpRoot, { recursive: true, force: true });
});

function workDir(name: string): string {
  const dir = path.join(tmpRoot, name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

interface ConfigOptions {
  resources?: Record<string, Record<string, unknown>>;
  imports?: Array<{ to: string; id: string }>;
  data?: Record<string, Record<string, unknown>>;
  output?: Record<string, { value: string }>;
}

/** A Terraform JSON configuration; the token comes from a sensitive variable (TF_VAR_, never argv). */
function writeConfig(dir: string, o: ConfigOptions): void {
  const cfg: Record<string, unknown> = {
    terraform: { required_providers: { postmark: { source: "arda-cards/postmark", version: "0.1.0" } } },
    variable: { postmark_token: { type: "string", sensitive: true } },
    provider: { postmark: { account_token: "${var.postmark_token}", api_url: sandbox.url } },
  };
  const resource: Record<string, unknown> = {};
  for (const [addr, body] of Object.entries(o.resources ?? {})) {
    const [type, name] = addr.split(".");
    resource[type] = { ...(resource[type] as object), [name]: body };
  }
  if (Object.keys(resource).length) cfg.resource = resource;
  if (o.imports) cfg.import = o.imports;
  if (o.data) {
    const data: Record<string, unknown> = {};
    for (const [addr, body] of Object.entries(o.data)) {
      const [type, name] = addr.split(".");
      data[type] = { ...(data[type] as object), [name]: body };
    }
    cfg.data = data;
  }
  if (o.output) cfg.output = o.output;
  fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify(cfg, null, 2));
}

async function tf(dir: string, args: string[], token: string = CANARY): Promise<TerraformResult> {
  const env = terraformEnv({ TF_VAR_postmark_token: token, TF_LOG: "TRACE", TF_LOG_PATH: path.join(dir, "terraform.log"), POSTMARK_ACCOUNT_TOKEN: "" });
  const full = args[0] === "providers" ? args : [args[0], "-no-color", ...args.slice(1)];
  const r = await runTerraform(full, { cwd: dir, env, timeoutMs: 90_000 });
  outputs.push(r.stdout, r.stderr);
  return r;
}

async function ok(dir: string, args: string[]): Promise<TerraformResult> {
  return expectExit(await tf(dir, args), 0, args);
}

/** Assert an exit code; on mismatch fail with Terraform's own output (that is what a user would see). */
function expectExit(r: TerraformResult, code: number, args: string[] = []): TerraformResult {
  if (r.code !== code) throw new Error(`terraform ${args.join(" ")} exited ${r.code}, expected ${code}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** Terraform wraps diagnostics at 80 columns: compare text with whitespace runs collapsed. */
function flat(text: string): string {
  return text.replace(/\s+/g, " ");
}

function state(dir: string): { resources: Array<{ type: string; name: string; instances: Array<{ attributes: Record<string, unknown> }> }> } {
  return JSON.parse(fs.readFileSync(path.join(dir, "terraform.tfstate"), "utf8"));
}

function attrs(dir: string, type: string, name: string): Record<string, unknown> {
  const r = state(dir).resources.find((x) => x.type === type && x.name === name);
  if (!r) throw new Error(`${type}.${name} is not in state`);
  return r.instances[0].attributes;
}

async function domainNames(): Promise<string[]> {
  return (await client.listDomains()).map((d) => d.Name).sort();
}

describe("postmark provider with the real Terraform CLI against the sandbox", () => {
  const dir = workDir("main");
  const name = "e2e.ardamails.test";
  let domainId = "";

  test("init → plan → apply creates the domain with the default Return-Path; a second plan shows no changes", async () => {
    writeConfig(dir, { resources: { "postmark_domain.d": { name } }, output: { dkim_host: { value: "${postmark_domain.d.dkim_record_host}" } } });
    await ok(dir, ["init", "-input=false"]);
    const plan = await tf(dir, ["plan", "-detailed-exitcode", "-input=false"]);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain("postmark_domain.d will be created");
    expect(plan.stdout).toContain(`"pm-bounces.${name}"`);
    await ok(dir, ["apply", "-auto-approve", "-input=false"]);
    const a = attrs(dir, "postmark_domain", "d");
    domainId = String(a.id);
    expect(domainId).toMatch(/^\d+$/);
    expect(a.return_path_domain).toBe(`pm-bounces.${name}`);
    expect(a.return_path_domain_cname_value).toBe("pm.mtasv.net");
    expect(a.dkim_pending_host).toMatch(new RegExp(`^\\d{14}pm\\._domainkey\\.${name.replace(/\./g, "\\.")}$`));
    expect(a.dkim_record_host).toBe(a.dkim_pending_host);
    expect(a.dkim_record_value).toMatch(/^k=rsa;\s*p=/);
    expect(a.dkim_selector).toBe(String(a.dkim_pending_host).split(".")[0]);
    expect(a.dkim_update_status).toBe("Pending");
    expect(await domainNames()).toEqual([name]);
    const again = expectExit(await tf(dir, ["plan", "-detailed-exitcode", "-input=false"]), 0);
    expect(again.stdout).toContain("No changes.");
  });

  test("import by numeric id and by name (import blocks), with the data source by id and by name; then no changes", async () => {
    for (const [label, id] of [
      ["by-id", domainId],
      ["by-name", name],
    ] as const) {
      const d = workDir(`import-${label}`);
      writeConfig(d, {
        resources: { "postmark_domain.d": { name } },
        imports: [{ to: "postmark_domain.d", id }],
        // The data source the same way: by id in one directory, by name in the other.
        data: { "postmark_domain.lookup": label === "by-id" ? { id: domainId } : { name } },
        output: { looked_up: { value: "${data.postmark_domain.lookup.name}" }, looked_up_id: { value: "${data.postmark_domain.lookup.id}" } },
      });
      await ok(d, ["init", "-input=false"]);
      const plan = await tf(d, ["plan", "-detailed-exitcode", "-input=false"]);
      expect(plan.stdout).toContain("1 to import, 0 to add, 0 to change, 0 to destroy");
      await ok(d, ["apply", "-auto-approve", "-input=false"]);
      expect(attrs(d, "postmark_domain", "d").id).toBe(domainId);
      const out = await ok(d, ["output", "-json"]);
      expect(JSON.parse(out.stdout).looked_up.value).toBe(name);
      expect(JSON.parse(out.stdout).looked_up_id.value).toBe(domainId);
      expect((await tf(d, ["plan", "-detailed-exitcode", "-input=false"])).code).toBe(0);
    }
  });

  test("terraform import (the CLI command) by name", async () => {
    const d = workDir("import-cli");
    writeConfig(d, { resources: { "postmark_domain.d": { name } } });
    await ok(d, ["init", "-input=false"]);
    const r = await ok(d, ["import", "-input=false", "postmark_domain.d", name]);
    expect(r.stdout).toContain("Import successful!");
    expect(attrs(d, "postmark_domain", "d").id).toBe(domainId);
    expect((await tf(d, ["plan", "-detailed-exitcode", "-input=false"])).code).toBe(0);
  });

  test("importing an id or name that does not exist fails with a clear message", async () => {
    const d = workDir("import-missing");
    writeConfig(d, { resources: { "postmark_domain.d": { name: "nope.ardamails.test" } }, imports: [{ to: "postmark_domain.d", id: "nope.ardamails.test" }] });
    await ok(d, ["init", "-input=false"]);
    const r = await tf(d, ["plan", "-input=false"]);
    expect(r.code).toBe(1);
    expect(flat(r.stderr)).toContain('No Postmark domain with name "nope.ardamails.test" exists in this account.');
  });

  test("return_path_domain is updated in place", async () => {
    writeConfig(dir, { resources: { "postmark_domain.d": { name, return_path_domain: `bounces.${name}` } } });
    const plan = await tf(dir, ["plan", "-input=false"]);
    expect(plan.stdout).toContain("postmark_domain.d will be updated in-place");
    await ok(dir, ["apply", "-auto-approve", "-input=false"]);
    expect(attrs(dir, "postmark_domain", "d").id).toBe(domainId);
    expect((await client.getDomain(Number(domainId))).ReturnPathDomain).toBe(`bounces.${name}`);
  });

  test("a return_path_domain outside the domain is rejected at validate, naming the attribute", async () => {
    const d = workDir("bad-rpd");
    writeConfig(d, { resources: { "postmark_domain.d": { name, return_path_domain: "pm-bounces.elsewhere.test" } } });
    await ok(d, ["init", "-input=false"]);
    const r = await tf(d, ["validate"]);
    expect(r.code).toBe(1);
    expect(flat(r.stderr)).toContain("Error: Invalid return_path_domain");
    expect(flat(r.stderr)).toContain('return_path_domain "pm-bounces.elsewhere.test" must be a sub-domain of "e2e.ardamails.test"');
  });

  test("renaming forces replacement", async () => {
    const renamed = "e2e-renamed.ardamails.test";
    writeConfig(dir, { resources: { "postmark_domain.d": { name: renamed } } });
    const plan = await tf(dir, ["plan", "-input=false"]);
    expect(plan.stdout).toContain("postmark_domain.d must be replaced");
    expect(plan.stdout).toMatch(/name\s+= "e2e.ardamails.test" -> "e2e-renamed.ardamails.test" # forces replacement/);
    await ok(dir, ["apply", "-auto-approve", "-input=false"]);
    expect(await domainNames()).toEqual([renamed]);
    domainId = String(attrs(dir, "postmark_domain", "d").id);
    expect(attrs(dir, "postmark_domain", "d").return_path_domain).toBe(`pm-bounces.${renamed}`);
  });

  test("a domain deleted outside Terraform is dropped on refresh and planned for creation", async () => {
    await client.deleteDomain(Number(domainId));
    const plan = await tf(dir, ["plan", "-detailed-exitcode", "-input=false"]);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain("postmark_domain.d will be created");
    expect(plan.stderr).not.toMatch(/Error/);
    await ok(dir, ["apply", "-auto-approve", "-input=false"]);
    domainId = String(attrs(dir, "postmark_domain", "d").id);
    expect(await domainNames()).toEqual(["e2e-renamed.ardamails.test"]);
  });

  test("verification waits through a pending DKIM, then succeeds once the DNS records exist", async () => {
    const a = attrs(dir, "postmark_domain", "d");
    await sandbox.admin.addTxt(String(a.dkim_record_host), String(a.dkim_record_value));
    await sandbox.admin.addCname(String(a.return_path_domain), String(a.return_path_domain_cname_value));
    await sandbox.admin.clearRequests();
    writeConfig(dir, {
      resources: {
        "postmark_domain.d": { name: "e2e-renamed.ardamails.test" },
        "postmark_domain_verification.v": { domain_id: "${postmark_domain.d.id}", timeout: "30s", poll_interval: "200ms", triggers: { dkim: "${postmark_domain.d.dkim_record_value}" } },
      },
    });
    await ok(dir, ["apply", "-auto-approve", "-input=false"]);
    const v = attrs(dir, "postmark_domain_verification", "v");
    expect(v.dkim_verified).toBe(true);
    expect(v.return_path_verified).toBe(true);
    const verifyCalls = (await sandbox.admin.requests()).filter((r) => r.path.endsWith("/verifyDkim"));
    expect(verifyCalls.length).toBeGreaterThanOrEqual(2); // the first answer was still pending
    // After refresh the domain shows its now-current key; the DNS record it names does not move.
    await ok(dir, ["apply", "-auto-approve", "-input=false", "-refresh-only"]);
    const after = attrs(dir, "postmark_domain", "d");
    expect(after.dkim_verified).toBe(true);
    expect(after.dkim_host).toBe(a.dkim_record_host);
    expect(after.dkim_record_host).toBe(a.dkim_record_host);
    expect((await tf(dir, ["plan", "-detailed-exitcode", "-input=false"])).code).toBe(0);
  });

  test("verification that times out names the records Postmark cannot see and the values it expects", async () => {
    const d = workDir("timeout");
    const n = "unverifiable.ardamails.test";
    writeConfig(d, {
      resources: {
        "postmark_domain.d": { name: n },
        "postmark_domain_verification.v": { domain_id: "${postmark_domain.d.id}", timeout: "2s", poll_interval: "300ms" },
      },
    });
    await ok(d, ["init", "-input=false"]);
    const r = await tf(d, ["apply", "-auto-approve", "-input=false"]);
    expect(r.code).toBe(1);
    const details = await client.findDomainByName(n);
    const err = flat(r.stderr);
    expect(err).toContain(`Error: Postmark did not verify ${n} within 2s`);
    expect(err).toContain(`DKIM: Postmark cannot see the TXT record at ${details?.DKIMPendingHost} with the value "${details?.DKIMPendingTextValue}"`);
    expect(err).toContain(`Return-Path: Postmark cannot see the CNAME record pm-bounces.${n} → pm.mtasv.net`);
    // Nothing half-made in state: the verification is not recorded, the domain is.
    expect(state(d).resources.map((x) => x.type)).toEqual(["postmark_domain"]);
    await ok(d, ["destroy", "-auto-approve", "-input=false"]);
  });

  test("Ctrl-C during a verification wait: Terraform's StopProvider ends the wait promptly", async () => {
    const d = workDir("interrupt");
    const n = "interrupted.ardamails.test";
    writeConfig(d, {
      resources: {
        "postmark_domain.d": { name: n },
        "postmark_domain_verification.v": { domain_id: "${postmark_domain.d.id}", timeout: "10m", poll_interval: "30s" },
      },
    });
    await ok(d, ["init", "-input=false"]);
    const env = terraformEnv({ TF_VAR_postmark_token: CANARY, TF_LOG: "TRACE", TF_LOG_PATH: path.join(d, "terraform.log") });
    const child = spawn("terraform", ["apply", "-no-color", "-auto-approve", "-input=false"], { cwd: d, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    while (!stdout.includes("postmark_domain_verification.v: Creating...")) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 500));
    const interruptedAt = Date.now();
    child.kill("SIGINT");
    const code = await exited;
    outputs.push(stdout, stderr);
    expect(code).toBe(1);
    expect(Date.now() - interruptedAt).toBeLessThan(10_000);
    expect(flat(stderr)).toContain(`Stopped waiting for Postmark to verify ${n}`);
    expect(flat(stderr)).toContain("Terraform asked the provider to stop (interrupt).");
    await ok(d, ["destroy", "-auto-approve", "-input=false"]);
  });

  test("429 bursts and 5xx during apply: apply still succeeds, without duplicates", async () => {
    const d = workDir("faults");
    const n = "flaky.ardamails.test";
    writeConfig(d, { resources: { "postmark_domain.d": { name: n, return_path_domain: `rp.${n}` } } });
    await ok(d, ["init", "-input=false"]);
    await sandbox.admin.injectFault({ kind: "status", status: 429, count: 3, method: "POST", pathPrefix: "/domains" });
    await sandbox.admin.injectFault({ kind: "status", status: 503, count: 2, method: "GET", pathPrefix: "/domains" });
    await sandbox.admin.injectFault({ kind: "status", status: 500, count: 1, phase: "after", method: "POST", pathPrefix: "/domains" });
    await ok(d, ["apply", "-auto-approve", "-input=false"]);
    await sandbox.admin.clearFaults();
    expect((await domainNames()).filter((x) => x === n)).toHaveLength(1);
    expect(attrs(d, "postmark_domain", "d").return_path_domain).toBe(`rp.${n}`);
    await ok(d, ["destroy", "-auto-approve", "-input=false"]);
  });

  test("a create that meets an existing domain adopts it, with a warning", async () => {
    const d = workDir("adopt");
    const n = "leftover.ardamails.test";
    const existing = await client.createDomain({ Name: n });
    // Spelled differently in case: still the same domain (DNS names are case-insensitive).
    writeConfig(d, { resources: { "postmark_domain.d": { name: "LeftOver.ardamails.test" } } });
    await ok(d, ["init", "-input=false"]);
    const r = await ok(d, ["apply", "-auto-approve", "-input=false"]);
    expect(flat(r.stdout + r.stderr)).toContain(`Adopted the existing Postmark domain "LeftOver.ardamails.test" (ID ${existing.ID})`);
    expect((await tf(d, ["plan", "-detailed-exitcode", "-input=false"])).code).toBe(0);
    expect(attrs(d, "postmark_domain", "d").id).toBe(String(existing.ID));
    expect((await domainNames()).filter((x) => x === n)).toHaveLength(1);
    await ok(d, ["destroy", "-auto-approve", "-input=false"]);
  });

  test("a wrong token fails with a clear error and the token is not in the output", async () => {
    const r = await tf(dir, ["plan", "-input=false"], WRONG_CANARY);
    expect(r.code).toBe(1);
    expect(flat(r.stderr)).toContain("Postmark rejected the account token (HTTP 401, ErrorCode 10)");
    expect(r.stdout + r.stderr).not.toContain(WRONG_CANARY);
    for (const f of fs.readdirSync(dir)) {
      if (fs.statSync(path.join(dir, f)).isFile()) expect(fs.readFileSync(path.join(dir, f), "utf8")).not.toContain(WRONG_CANARY);
    }
  });

  test("a token with a trailing newline is reported as such at configure, with nothing sent to Postmark", async () => {
    const d = workDir("newline-token");
    writeConfig(d, { resources: { "postmark_domain.d": { name: "newline.ardamails.test" } } });
    await ok(d, ["init", "-input=false"]);
    const before = (await sandbox.admin.requests()).length;
    const r = await tf(d, ["plan", "-input=false"], `${WRONG_CANARY}\n`);
    expect(r.code).toBe(1);
    expect(flat(r.stderr)).toContain("Invalid Postmark provider configuration");
    expect(flat(r.stderr)).toContain(
      `the Postmark account token contains a newline (character ${WRONG_CANARY.length + 1} of ${WRONG_CANARY.length + 1}), which an HTTP header cannot carry; nothing was sent to Postmark`,
    );
    expect(r.stdout + r.stderr).not.toContain(WRONG_CANARY);
    expect((await sandbox.admin.requests()).length).toBe(before);
  });

  test("a create answered with another domain fails the apply; nothing of it reaches the state", async () => {
    const d = workDir("other-answer");
    const evil = { ...(await client.createDomain({ Name: "evil.ardamails.test" })) };
    writeConfig(d, { resources: { "postmark_domain.d": { name: "asked.ardamails.test" } } });
    await ok(d, ["init", "-input=false"]);
    await sandbox.admin.injectFault({ kind: "answer", method: "POST", pathPrefix: "/domains", body: JSON.stringify(evil) });
    const r = await tf(d, ["apply", "-auto-approve", "-input=false"]);
    expect(r.code).toBe(1);
    expect(flat(r.stderr)).toContain(`Postmark POST /domains gave an unexpected answer: the request for domain "asked.ardamails.test" was answered with domain "evil.ardamails.test" (ID ${evil.ID})`);
    const st = fs.existsSync(path.join(d, "terraform.tfstate")) ? fs.readFileSync(path.join(d, "terraform.tfstate"), "utf8") : "";
    expect(st).not.toContain("evil.ardamails.test");
    await client.deleteDomain(evil.ID);
  });

  test("destroy removes the domain; Postmark is empty again", async () => {
    await ok(dir, ["destroy", "-auto-approve", "-input=false"]);
    expect(await domainNames()).toEqual([]);
  });

  test("terraform providers schema -json matches the schema the CDKTF bindings were generated from", async () => {
    const snapshot = path.join(REPO_ROOT, ".gen/providers/postmark/provider-schema.json");
    expect(fs.existsSync(snapshot)).toBe(true); // `npm run build` (scripts/bindings.mjs) writes it
    const r = await ok(dir, ["providers", "schema", "-json"]);
    const live = JSON.parse(r.stdout).provider_schemas["registry.terraform.io/arda-cards/postmark"];
    expect(live).toEqual(JSON.parse(fs.readFileSync(snapshot, "utf8")));
    const bindings = fs.readFileSync(path.join(REPO_ROOT, ".gen/providers/postmark/domain/index.ts"), "utf8");
    for (const attr of Object.keys(live.resource_schemas.postmark_domain.block.attributes)) {
      const camel = attr.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
      expect(bindings).toContain(`get ${camel}()`);
    }
  });

  test("canary: the account token is in no Terraform output, state, plan or log file", () => {
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) {
          if (e.name !== "providers") walk(p); // .terraform/providers holds the provider executable only
        } else files.push(p);
      }
    };
    walk(tmpRoot);
    expect(files.some((f) => f.endsWith("terraform.tfstate"))).toBe(true);
    expect(files.some((f) => f.endsWith("terraform.log"))).toBe(true);
    for (const f of files) expect({ file: f, leaked: fs.readFileSync(f, "utf8").includes(CANARY) }).toEqual({ file: f, leaked: false });
    for (const o of outputs) expect(o.includes(CANARY)).toBe(false);
  });
});
