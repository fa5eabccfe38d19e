import * as fs from "node:fs";
import { Flags } from "@oclif/core";
import type { CascadeResult } from "../../flows/deploy/deploy";
import { DnsServerMissing, runDemoCascade } from "../../sandbox/demo";
import { formatReport } from "../../flows/verify";
import { ArdaCommand, CliError } from "../base-command";
import { partitionSummary } from "./deploy";

export default class Demo extends ArdaCommand<typeof Demo> {
  static summary = "Run the whole rollout cascade on the embedded sandbox and show what each step did.";
  static description =
    "Starts the Postmark sandbox and the real DNS server (Knot DNS) on loopback, writes generated secrets to a scratch file store, " +
    "an AWS config with the model's profiles, a scratch context file and rollout record (nothing committed is touched), then runs " +
    "`deploy --all --confirm-production` in-process: dev, then stage ∥ demo, then prod — each registered with Postmark, synthesized, " +
    "planned offline with real terraform (apply skipped: no AWS here), its records published to the DNS server, and verified. Prints, " +
    "per partition, what it registered, the plan summary and the verification results.";
  static examples = ["<%= config.bin %> demo", "<%= config.bin %> demo --sequential --json", "<%= config.bin %> demo --keep ./demo-run"];
  static flags = {
    sequential: Flags.boolean({ description: "run stage and demo one after the other (for comparison)", default: false }),
    keep: Flags.string({ description: "scratch directory to use and keep (default: a temp dir, removed at the end)" }),
    verbose: Flags.boolean({ description: "show terraform's plan output", default: false }),
  };

  public async run(): Promise<CascadeResult> {
    let run;
    try {
      run = await runDemoCascade({ dir: this.flags.keep as string | undefined, parallel: !this.flags.sequential, verbose: this.flags.verbose as boolean, progress: (l) => this.progress(l) });
    } catch (e) {
      if (e instanceof DnsServerMissing) throw new CliError(e.message, "apt-get install knot (Debian), then run the demo again");
      throw e;
    }
    const { env, result } = run;
    env.secretValues.forEach((s) => this.rememberSecret(s));
    try {
      const out: string[] = ["", `=== arda-mail demo: cascade dev → stage ∥ demo → prod on the sandbox — ${result.ok ? "ALL VERIFIED" : "FAILED"} in ${(result.wallMs / 1000).toFixed(1)} s ===`];
      for (const p of result.partitions) {
        out.push("", partitionSummary(p));
        if (p.verify) out.push(formatReport(p.verify).replace(/^/gm, "    "));
      }
      out.push("", `rollout record: ${env.rolloutFile}`, `context written by register: ${env.contextFile}`, this.flags.keep ? `(kept in ${env.dir})` : "(scratch directory removed at exit; --keep <dir> keeps it)");
      this.progress(out.join("\n"));
      if (!result.ok) throw new CliError("the demo cascade failed (see the steps above)", "re-run with --verbose; the scratch directory is kept with --keep <dir>", 1, { result });
      return JSON.parse(this.clean(JSON.stringify(result))) as CascadeResult;
    } finally {
      await env.close();
      if (!this.flags.keep) fs.rmSync(env.dir, { recursive: true, force: true });
    }
  }
}
