#!/usr/bin/env node
// Shared by corporate-drift.yml and runtime-platform-drift.yml (DQ-R1-018: shared logic, two workflows):
// reads `arda-mail drift --json` and opens (or comments on) ONE GitHub issue per drifted asset, labelled
// `drift` + the instance group (+ the asset, DQ-R1-012). Uses the `gh` CLI with GITHUB_TOKEN.
// Usage: node drift-issues.mjs <report.json> <instance-group>
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const [file, group] = process.argv.slice(2);
const text = readFileSync(file, "utf8").trim();
if (!text) {
  console.error("empty drift report: the drift command failed before producing one");
  process.exit(2);
}
const report = JSON.parse(text);
if (report.error) {
  console.error(`drift command failed: ${report.error.message}`);
  process.exit(2);
}
const gh = (args) => execFileSync("gh", args, { encoding: "utf8" });
gh(["label", "create", "drift", "--color", "B60205", "--force"]);
gh(["label", "create", group, "--color", "1D76DB", "--force"]);
for (const asset of report.assets.filter((a) => a.drifted)) {
  const label = `asset:${asset.asset}`.slice(0, 50);
  gh(["label", "create", label, "--color", "C5DEF5", "--force"]);
  const title = `Drift: ${asset.asset} (${asset.sendingDomain})`;
  const body = [
    `Scheduled \`arda-mail drift --instance-group ${group}\` found drift in **${asset.asset}** (${asset.sendingDomain}).`,
    "",
    "| kind | subject | expected | seen |",
    "|---|---|---|---|",
    ...asset.items.map((i) => `| ${i.kind} | ${i.subject} | ${i.expected} | ${i.seen} |`),
    "",
    `Resolver: ${report.resolver}. Run: ${process.env.GITHUB_SERVER_URL}/${process.env.GITHUB_REPOSITORY}/actions/runs/${process.env.GITHUB_RUN_ID}`,
  ].join("\n");
  const open = JSON.parse(gh(["issue", "list", "--state", "open", "--label", "drift", "--label", label, "--json", "number"]));
  if (open.length) gh(["issue", "comment", String(open[0].number), "--body", body]);
  else gh(["issue", "create", "--title", title, "--body", body, "--label", "drift", "--label", group, "--label", label]);
  console.log(`${open.length ? "updated" : "opened"} issue for ${asset.asset}`);
}
