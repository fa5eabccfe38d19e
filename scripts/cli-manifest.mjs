// Writes oclif.manifest.json from the compiled commands (dist/cli/commands) so `arda-mail --help`
// reads one JSON file instead of requiring every command module. The `oclif` dev CLI (v6) that
// normally does this needs Node 22; @oclif/core 4 builds the same manifest when none exists, so we
// let it load the commands once and save what it built.
import { createRequire } from "node:module";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const target = path.join(root, "oclif.manifest.json");
const commandsDir = path.join(root, "dist", "cli", "commands");

if (!fs.existsSync(commandsDir)) {
  console.error(`cli-manifest: ${path.relative(root, commandsDir)} is missing — run \`npm run build:ts\` first`);
  process.exit(1);
}
fs.rmSync(target, { force: true });
const { Config } = require("@oclif/core");
const config = await Config.load({ root });
const plugin = config.getPluginsList().find((p) => p.root === root);
const manifest = plugin?.manifest;
if (!manifest || Object.keys(manifest.commands ?? {}).length === 0) {
  console.error("cli-manifest: no commands found");
  process.exit(1);
}
fs.writeFileSync(target, JSON.stringify(manifest, null, 2) + "\n");
console.error(`cli-manifest: ${Object.keys(manifest.commands).length} commands → oclif.manifest.json`);
