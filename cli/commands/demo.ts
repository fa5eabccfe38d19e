import * as fs from "node:fs";
import { Flags } from "@oclif/core";
import type { CascadeResult } from "../../flows/deploy/deploy";
import { DnsServerMissing, runDemoCascade } from "../../sandbox/demo";
import { MOTO_MISSING } from "../../sandbox/aws/moto";
import type { PartitionDeployResult } from "../../flows/deploy/types";
import { formatReport } from "../../flows/verify";
import { ArdaCommand, CliError } from "../base-command";
import { partitionSummary } from "./deploy";
import { ownTimeMs, waitedMs } from "../../flows/deploy/steps";

export default class Demo extends ArdaCommand<typeof Demo> {
  static summary = "Run the whole rollout cascade on the embedded sandbox and show what each step did.";
  static description =
    "Starts the Postmark sandbox, the real DNS server (Knot DNS) and a local AWS (moto) on loopback, writes generated secrets to a " +
    "scratch file store, an AWS config whose profiles reach each model account in the local AWS, a scratch context file, rollout record " +
    "and state (nothing committed is touched), then runs `deploy --all --confirm-production` in-process: Root, then Corporate ∥ dev, then " +
    "stage ∥ demo, then prod — each registered with Postmark, synthesized, applied with real terraform exactly as synthesized, planned a " +
    "second time (must be empty), and verified against the records the local AWS's Route53 holds, served by Knot. Prints, per stack, " +
    "what it registered, the plan, resources applied, whether the second plan was clean, the verification results and the time. " +
    "--offline: the partitions only, planned offline (no moto needed).";
  static examples = ["<%= config.bin %> demo", "<%= config.bin %> demo --offline", "<%= config.bin %> demo --sequential --json", "<%= config.bin %> demo --keep ./demo-run"];
  static flags = {
    sequential: Flags.boolean({ description: "run stage and demo one after the other (for comparison)", default: false }),
    keep: Flags.string({ description: "scratch directory to use and keep (default: a temp dir, removed at the end)" }),
    verbose: Flags.boolean({ description: "show terraform's own output", default: false }),
    offline: Flags.boolean({ description: "plan the partitions offline instead of applying every stack to the local AWS", default: false }),
  };

  public async run(): Promise<CascadeResult> {
    let run;
    try {
      run = await runDemoCascade({
        dir: this.flags.keep as string | undefined,
        parallel: !this.flags.sequential,
        verbose: this.flags.verbose as boolean,
        offline: this.flags.offline as boolean,
        progress: (l) => this.progress(l),
      });
    } catch (e) {
      if (e instanceof DnsServerMissing) throw new CliError(e.message, "apt-get install knot (Debian), then run the demo again");
      if ((e as Error).message === MOTO_MISSING) throw new CliError(MOTO_MISSING, "pip install 'moto[server]', or run the demo with --offline");
      throw e;
    }
    const { env, result } = run;
    env.secretValues.forEach((s) => this.rememberSecret(s));
    try {
      const cascade = this.flags.offline ? "dev → stage ∥ demo → prod (offline plans)" : "Root → Corporate ∥ dev → stage ∥ demo → prod (applied to the local AWS)";
      const out: string[] = ["", `=== arda-mail demo: ${cascade} — ${result.ok ? "ALL VERIFIED" : "FAILED"} in ${(result.wallMs / 1000).toFixed(1)} s ===`];
      for (const p of result.partitions) {
        out.push("", partitionSummary(p));
        if (p.verify) out.push(formatReport(p.verify).replace(/^/gm, "    "));
      }
      out.push("", ...stackTable(result.partitions));
      out.push(
        "",
        `rollout record: ${env.rolloutFile}`,
        `context written by register: ${env.contextFile}`,
        this.flags.keep ? `(kept in ${env.dir})` : "(scratch directory removed at exit; --keep <dir> keeps it)",
      );
      this.progress(out.join("\n"));
      if (!result.ok) throw new CliError("the demo cascade failed (see the steps above)", "re-run with --verbose; the scratch directory is kept with --keep <dir>", 1, { result });
      return JSON.parse(this.clean(JSON.stringify(result))) as CascadeResult;
    } finally {
      await env.close();
      if (!this.flags.keep) fs.rmSync(env.dir, { recursive: true, force: true });
    }
  }
}

/** One line per stack: resources applied, second plan clean, verify result, time, time waited for the stacks before it. */
export function stackTable(stacks: readonly PartitionDeployResult[]): string[] {
  const rows = stacks.map((p) => [
    p.stack,
    p.appliedResources === undefined ? "—" : String(p.appliedResources),
    p.secondPlanClean === undefined ? "—" : p.secondPlanClean ? "clean" : "NOT clean",
    p.steps.some((s) => s.step === "verify" && s.outcome === "ok") ? "PASS" : p.steps.some((s) => s.step === "verify") ? "FAIL" : "not run",
    `${(ownTimeMs(p.steps) / 1000).toFixed(1)} s`,
    `${(waitedMs(p.steps) / 1000).toFixed(1)} s`,
  ]);
  // `time` is the stack's own work; `waited` its wait for the stacks before it (it was planned by then).
  const head = ["stack", "applied", "second plan", "verify", "time", "waited"];
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]): string => `  ${r.map((c, i) => c.padEnd(width[i])).join("  ")}`.trimEnd();
  return [line(head), ...rows.map(line)];
}
