// Writes oclif.manifest.json from the compiled commands (dist/cli/commands) so `arda-mail --help`
// reads one JSON file instead of requiring every command module. The `oclif` dev CLI (v6) that
// normally does this needs Node 22; @oclif/core 4 builds the same manifest when none exists, so we
// let it load the commands once and save what it built.
import { createRequire } from "node:module";
import { spawnSync } from "node:child_process";
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

// Render the help of the CLI and of every command and topic once, at 80 columns, for bin/arda-mail's
// fast path. Rendered by oclif itself (the launcher with the cache disabled), so the text is oclif's.
const ids = Object.keys(manifest.commands).map((id) => id.split(":"));
const topics = new Set(ids.flatMap((parts) => parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join(" "))));
const keys = ["", ...topics, ...ids.map((p) => p.join(" "))];
const help = {};
for (const key of new Set(keys)) {
  const args = [path.join(root, "bin", "arda-mail"), ...(key ? key.split(" ") : []), "--help"];
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", env: { ...process.env, ARDA_MAIL_NO_HELP_CACHE: "1", COLUMNS: "80", NODE_ENV: "production" } });
  if (r.status !== 0) {
    console.error(`cli-manifest: \`arda-mail ${key} --help\` failed: ${r.stderr}`);
    process.exit(1);
  }
  help[key] = r.stdout;
}
fs.writeFileSync(path.join(root, "dist", "cli", "help-cache.json"), JSON.stringify({ version: manifest.version, help }) + "\n");
console.error(`cli-manifest: help text of ${Object.keys(help).length} commands/topics → dist/cli/help-cache.json`);
