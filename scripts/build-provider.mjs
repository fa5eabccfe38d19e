// Builds the Postmark Terraform provider (providers/postmark) into the repository's filesystem
// mirror, unpacked layout, which terraform.rc installs registry.terraform.io/arda-cards/* from:
//   build/terraform-mirror/registry.terraform.io/arda-cards/postmark/<version>/linux_amd64/
//     terraform-provider-postmark_v<version>
// The provider version comes from providers/postmark/package.json. The mirror, every test, the
// release (scripts/release-provider.mjs) and the stacks' terraform.d/plugins copies all use this
// one executable.
//
// The executable is self-contained: a Node single executable application (SEA) — this Node binary
// with the provider's bundle injected (postject) — so Terraform, Terraform Cloud's remote runs or
// any linux_amd64 machine can start it with no Node installed. Start-up speed matters (Terraform
// starts the provider several times per command), so:
// - everything is bundled by esbuild into ONE file (no module resolution at start);
// - tfplugin6.proto is converted to a JSON descriptor here, once, and inlined (no .proto parsing
//   at start, and full protobufjs is not even in the bundle);
// - the SEA carries a V8 startup snapshot taken after the bundle has loaded and built the provider
//   and its message types (providers/postmark/main.ts), so a start only deserializes and serves;
// - the copied Node binary is stripped of debug info when `strip` is there (−13 MB, same code).
// A V8 snapshot is not byte-reproducible (two builds of the same bundle differ), and a
// .terraform.lock.hcl pins the executable's hash: so the SEA is rebuilt only when its inputs (the
// bundle, this Node binary, the recipe) change — otherwise `npm ci` / `npm run build` keep the
// existing bytes and every lock file stays valid. ARDA_MAIL_REBUILD_PROVIDER=1 forces a rebuild.
import * as fs from "node:fs";
import * as path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const esbuild = require("esbuild");
const protobuf = require("protobufjs");

const providerDir = path.join(root, "providers/postmark");
const { version } = JSON.parse(fs.readFileSync(path.join(providerDir, "package.json"), "utf8"));
if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`providers/postmark/package.json: version "${version}" is not x.y.z`);

const started = Date.now();
const descriptor = protobuf.parse(fs.readFileSync(path.join(providerDir, "protocol/tfplugin6.proto"), "utf8"), { keepCase: true }).root.toJSON();

const platform = `${process.platform}_${process.arch === "x64" ? "amd64" : process.arch}`;
if (platform !== "linux_amd64") throw new Error(`build-provider: builds on linux_amd64 only (this Node is ${platform}); the SEA is this Node binary plus the bundle`);
const mirrorDir = path.join(root, "build/terraform-mirror/registry.terraform.io/arda-cards/postmark");
const outDir = path.join(mirrorDir, version, platform);
const exe = path.join(outDir, `terraform-provider-postmark_v${version}`);
const bundle = path.join(root, "build/provider/terraform-provider-postmark.js");

await esbuild.build({
  entryPoints: [path.join(providerDir, "main.ts")],
  outfile: bundle,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  minify: true,
  keepNames: false,
  legalComments: "none",
  logLevel: "warning",
  define: {
    __TFPLUGIN6_BUNDLED__: "true",
    __TFPLUGIN6_DESCRIPTOR__: JSON.stringify(descriptor),
  },
});

// Old versions would be offered by the mirror too: keep only this one.
if (fs.existsSync(mirrorDir)) {
  for (const v of fs.readdirSync(mirrorDir)) if (v !== version) fs.rmSync(path.join(mirrorDir, v), { recursive: true, force: true });
}
fs.mkdirSync(outDir, { recursive: true });
// Bump when the recipe below changes what it produces.
const RECIPE = "sea+snapshot+strip/1";
const stampFile = path.join(root, "build/provider/sea-stamp.json");
const sha256 = (file) => createHash("sha256").update(fs.readFileSync(file)).digest("hex");
const inputs = createHash("sha256").update(RECIPE).update(process.version).update(sha256(process.execPath)).update(fs.readFileSync(bundle)).digest("hex");
const stamp = fs.existsSync(stampFile) ? JSON.parse(fs.readFileSync(stampFile, "utf8")) : {};
if (process.env.ARDA_MAIL_REBUILD_PROVIDER !== "1" && stamp.inputs === inputs && fs.existsSync(exe) && sha256(exe) === stamp.exe) {
  console.error(`build-provider: ${path.relative(root, exe)} is up to date (same bundle and Node; kept so lock files stay valid) in ${Date.now() - started} ms`);
  process.exit(0);
}
// Replace the executable atomically: `terraform init` links this directory in place, so a Terraform
// run elsewhere in the repository may be starting the provider right now.
const tmp = `${exe}.tmp-${process.pid}`;
try {
  await buildSea(bundle, tmp);
  fs.renameSync(tmp, exe);
} finally {
  fs.rmSync(tmp, { force: true });
}
fs.writeFileSync(stampFile, `${JSON.stringify({ inputs, exe: sha256(exe) }, null, 2)}\n`);
console.error(`build-provider: ${path.relative(root, exe)} (SEA with startup snapshot, ${Math.round(fs.statSync(exe).size / 1024 / 1024)} MiB) in ${Date.now() - started} ms`);

/** Node's SEA recipe: a preparation blob (with the startup snapshot) injected into a copy of node. */
async function buildSea(bundleFile, out) {
  const workDir = path.dirname(bundleFile);
  const blob = path.join(workDir, `sea-${process.pid}.blob`);
  const config = path.join(workDir, `sea-config-${process.pid}.json`);
  try {
    fs.writeFileSync(config, JSON.stringify({ main: bundleFile, output: blob, disableExperimentalSEAWarning: true, useSnapshot: true }));
    // Taking the snapshot runs the bundle with the snapshot builder; its output is noise unless it fails.
    const r = spawnSync(process.execPath, ["--experimental-sea-config", config], { encoding: "utf8", env: { PATH: process.env.PATH ?? "" } });
    if (r.status !== 0) throw new Error(`build-provider: node --experimental-sea-config failed (${r.status}): ${r.stderr}`);
    fs.copyFileSync(process.execPath, out);
    fs.chmodSync(out, 0o755);
    if (spawnSync("strip", ["--version"], { stdio: "ignore" }).status === 0) execFileSync("strip", [out], { stdio: "ignore" });
    const { inject } = require("postject");
    // postject reports progress on stdout/stderr with console.log; keep the build's output to one line.
    const { log, warn } = console;
    console.log = console.warn = () => undefined;
    try {
      await inject(out, "NODE_SEA_BLOB", fs.readFileSync(blob), { sentinelFuse: "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2" });
    } finally {
      Object.assign(console, { log, warn });
    }
  } finally {
    fs.rmSync(blob, { force: true });
    fs.rmSync(config, { force: true });
  }
}
