// Generates the CDKTF bindings of our own Terraform provider(s) with `cdktf get` (cdktf.json
// terraformProviders → .gen/providers/<name>), offline, from the repository's filesystem mirror.
// Part of `npm run build`, so a fresh clone has the bindings without a manual step.
//
// Fast path: the provider's schema (as `terraform providers schema -json` reports it) is stored
// next to the bindings; when the freshly built provider reports the same schema, `cdktf get` is
// skipped. The same snapshot lets a test prove the bindings match the provider.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const rc = path.join(root, "terraform.rc");
const cdktfJson = JSON.parse(fs.readFileSync(path.join(root, "cdktf.json"), "utf8"));
const genDir = path.join(root, cdktfJson.codeMakerOutput ?? ".gen");
const providers = (cdktfJson.terraformProviders ?? []).map((p) => (typeof p === "string" ? { source: p } : p));
if (!fs.existsSync(rc)) fail(`${rc} is missing: run \`npm run build:tfrc\` first.`);
if (providers.length === 0) {
  console.error("bindings: cdktf.json lists no terraformProviders; nothing to generate");
  process.exit(0);
}

const env = { ...process.env, TF_CLI_CONFIG_FILE: rc, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", TF_INPUT: "0" };

function fail(message) {
  console.error(`bindings: ${message}`);
  process.exit(1);
}

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) fail(`${cmd} ${args.join(" ")} failed (exit ${r.status}):\n${r.stderr || r.stdout}`);
  return r.stdout;
}

/** Local name → full source address, as Terraform keys provider_schemas. */
function fullAddress(source) {
  const parts = source.split("/");
  return (parts.length === 2 ? ["registry.terraform.io", ...parts] : parts).join("/").toLowerCase();
}

/** `terraform providers schema -json` for the providers in cdktf.json, from a scratch directory. */
export function currentSchemas() {
  const work = fs.mkdtempSync(path.join(root, "build", "bindings-"));
  try {
    const required = Object.fromEntries(providers.map((p) => [p.name ?? p.source.split("/").pop(), { source: p.source, ...(p.version ? { version: p.version } : {}) }]));
    fs.writeFileSync(path.join(work, "main.tf.json"), JSON.stringify({ terraform: { required_providers: required } }));
    run("terraform", ["init", "-backend=false", "-input=false", "-no-color"], work);
    const all = JSON.parse(run("terraform", ["providers", "schema", "-json"], work));
    return Object.fromEntries(providers.map((p) => [p.name ?? p.source.split("/").pop(), all.provider_schemas[fullAddress(p.source)]]));
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

const started = Date.now();
fs.mkdirSync(path.join(root, "build"), { recursive: true });
const schemas = currentSchemas();
const stale = Object.entries(schemas).filter(([name, schema]) => {
  if (!schema) fail(`terraform did not report a schema for provider "${name}" (is it built into build/terraform-mirror?)`);
  const snap = path.join(genDir, "providers", name, "provider-schema.json");
  const bindings = path.join(genDir, "providers", name, "index.ts");
  return !(fs.existsSync(bindings) && fs.existsSync(snap) && fs.readFileSync(snap, "utf8") === JSON.stringify(schema, null, 2));
});
if (stale.length === 0) {
  console.error(`bindings: up to date (provider schema unchanged) in ${Date.now() - started} ms`);
  process.exit(0);
}
run(path.join(root, "node_modules/.bin/cdktf"), ["get", "--force"], root);
for (const [name, schema] of Object.entries(schemas)) {
  const dir = path.join(genDir, "providers", name);
  if (!fs.existsSync(path.join(dir, "index.ts"))) fail(`cdktf get did not produce ${path.relative(root, dir)}/index.ts`);
  fs.writeFileSync(path.join(dir, "provider-schema.json"), JSON.stringify(schema, null, 2));
  const hash = createHash("sha256").update(JSON.stringify(schema)).digest("hex").slice(0, 12);
  console.error(`bindings: generated ${path.relative(root, dir)} (schema ${hash})`);
}
console.error(`bindings: done in ${Date.now() - started} ms`);
