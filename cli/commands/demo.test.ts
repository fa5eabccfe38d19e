import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { CascadeResult } from "../../flows/deploy/deploy";
import { regularFilesText } from "../../sandbox/canary";
import { knotAvailable } from "../../testing/knot";
import { runInProcess } from "../../testing/cli";
import Demo from "./demo";

jest.setTimeout(300_000);
// One retry, with the first failure logged in full (it carries the demo's stderr): see the note below.
jest.retryTimes(1, { logErrorsBeforeRetry: true });
const maybe = knotAvailable() ? it : it.skip;

maybe("`arda-mail demo --offline` plans dev → stage ∥ demo → prod on the sandbox and prints what each partition did", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "arda-demo-test-"));
  const committed = fs.readFileSync(path.join(__dirname, "../../platform/sandbox.cdktf.json"), "utf8");
  const o = await runInProcess<CascadeResult>(Demo, ["--offline", "--keep", dir, "--json"]);
  // Seen once in CI (fresh clone, 1 of 3 runs): exit 1 after ~10 s, not reproduced in 5 local runs — the
  // demo's own report is the diagnosis, so a failure shows it.
  expect({ code: o.code, stderr: o.code === 0 ? "" : o.stderr.slice(-4000) }).toEqual({ code: 0, stderr: "" });
  expect(o.result!.partitions.map((p) => [p.partition, p.ok])).toEqual([
    ["Alpha002/dev", true],
    ["Alpha002/stage", true],
    ["Alpha001/demo", true],
    ["Alpha001/prod", true],
  ]);
  for (const name of ["dev", "stage", "demo", "prod"]) {
    expect(o.stderr).toContain(`registered: ${name}.ardamails.com — Postmark created`);
    expect(o.stderr).toMatch(new RegExp(`verify Alpha00\\d/${name} \\(${name}\\.ardamails\\.com\\) via 127\\.0\\.0\\.1:\\d+: PASS`));
  }
  expect(o.stderr).toMatch(/plan: \d+ to add, 0 to change, 0 to destroy/);
  expect(o.stderr).toContain("=== arda-mail demo: dev → stage ∥ demo → prod (offline plans) — ALL VERIFIED");
  expect(o.stderr).toContain("— wave: stage ∥ demo");
  // The committed fixture context is untouched; the scratch one got the register output.
  expect(fs.readFileSync(path.join(__dirname, "../../platform/sandbox.cdktf.json"), "utf8")).toBe(committed);
  // Canary secrets (generated into the scratch secret store) appear nowhere else.
  const secrets = Object.values(JSON.parse(fs.readFileSync(path.join(dir, "secrets.json"), "utf8")) as Record<string, string>);
  const everything = o.stdout + o.stderr + regularFilesText(dir, [path.join(dir, "secrets.json")]);
  for (const s of secrets) expect(everything).not.toContain(s);
  fs.rmSync(dir, { recursive: true, force: true });
});
