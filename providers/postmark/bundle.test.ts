/**
 * What the provider executable carries: esbuild (as scripts/build-provider.mjs bundles it) walks the
 * imports from main.ts. The DNS-name check comes from the pure platform/dns-name module; the
 * platform loader (file walking, the model, the repository root) is not in the bundle.
 */
import * as path from "node:path";
import { build } from "esbuild";

const root = path.resolve(__dirname, "..", "..");

test("the provider bundle pulls platform/dns-name, not platform/load", async () => {
  const r = await build({
    entryPoints: [path.join(__dirname, "main.ts")],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    write: false,
    metafile: true,
    logLevel: "silent",
    define: { __TFPLUGIN6_BUNDLED__: "true", __TFPLUGIN6_DESCRIPTOR__: "{}" },
  });
  const inputs = Object.keys(r.metafile.inputs).map((f) => path.relative(root, path.resolve(root, f)));
  const platformModules = inputs.filter((f) => f.startsWith("platform/")).sort();
  expect(platformModules).toEqual(["platform/dns-name.ts", "platform/placement.ts"]);
});
