// `npm test` after the type-check: runs jest (arguments passed through), then prints one plain
// closing line `tests: N passed, N failed, N skipped` and exits with jest's own exit code.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const results = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "arda-mail-jest-")), "results.json");
const jest = require.resolve("jest/bin/jest");
const r = spawnSync(process.execPath, [jest, "--json", `--outputFile=${results}`, ...process.argv.slice(2)], { stdio: "inherit" });
let code = r.status ?? 1;
try {
  const j = JSON.parse(fs.readFileSync(results, "utf8"));
  const skipped = j.numPendingTests + j.numTodoTests;
  console.log(`tests: ${j.numPassedTests} passed, ${j.numFailedTests} failed, ${skipped} skipped`);
  if (j.numTotalTests === 0) code = code || 1;
} catch {
  console.log("tests: 0 passed, 1 failed (jest produced no result)");
  code = code || 1;
}
process.exit(code);
