// Builds the Postmark Terraform provider (providers/postmark) into the repository's filesystem
// mirror, unpacked layout, which terraform.rc installs registry.terraform.io/arda-cards/* from:
//   build/terraform-mirror/registry.terraform.io/arda-cards/postmark/<version>/linux_amd64/
//     terraform-provider-postmark_v<version>
// The provider version comes from providers/postmark/package.json.
//
// Start-up speed matters (Terraform starts the provider several times per command), so:
// - everything is bundled by esbuild into ONE file (no module resolution at start);
// - tfplugin6.proto is converted to a JSON descriptor here, once, and inlined (no .proto parsing
//   at start, and full protobufjs is not even in the bundle);
// - the executable is that bundle with a shebang pointing at this Node binary.
import * as fs from "node:fs";
import * as path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

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
// Replace the executable atomically: `terraform init` links this directory in place, so a Terraform
// run elsewhere in the repository may be starting the provider right now.
const tmp = `${exe}.tmp-${process.pid}`;
fs.writeFileSync(tmp, `#!${process.execPath}\n${fs.readFileSync(bundle, "utf8")}`, { mode: 0o755 });
fs.renameSync(tmp, exe);
console.error(`build-provider: ${path.relative(root, exe)} (${Math.round(fs.statSync(exe).size / 1024)} KiB) in ${Date.now() - started} ms`);
