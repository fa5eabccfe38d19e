import { Args, Flags } from "@oclif/core";
import { deployCascade, deployPartition, type CascadeResult } from "../../flows/deploy/deploy";
import { formatPlan } from "../../lib/plan-summary";
import type { PartitionDeployResult } from "../../flows/deploy/types";
import { ArdaCommand, CliError } from "../base-command";
import { deployContext, deployFlags } from "../lib/deploy-flags";
import { FailedWithResult } from "../lib/errors";
import { partitionOrFail } from "../lib/args";

export default class Deploy extends ArdaCommand<typeof Deploy> {
  static summary = "Deploy a partition's email stack: pre-flight, register, plan, apply, verify — in rollout order.";
  static description =
    "Runs, for <infrastructure>-<partition>-Email: the rollout-order check (dev → stage ∥ demo → prod, DQ-R1-021, read from " +
    "rollout/<platform>.json), pre-flight (AWS profile from the model present in AWS_CONFIG_FILE, region, secrets resolvable, " +
    "context not stale vs Postmark, backend), register, synth + terraform plan with the secrets as TF_VAR_ environment variables " +
    "(never a file, never argv), a refusal when the plan destroys or replaces a zone or the key secret, the prod confirmation, " +
    "apply (skipped offline), then verify; the verified state is recorded for the next run. --all walks the whole cascade with " +
    "stage and demo in parallel. The exit code is non-zero when any step or child process fails; --json lists every step with " +
    "its outcome and duration. Progress goes to stderr; terraform's own output with --verbose.";
  static examples = [
    "<%= config.bin %> deploy Alpha002 dev",
    "<%= config.bin %> deploy Alpha001 prod --plan-only",
    "<%= config.bin %> deploy Alpha001 prod --confirm-production --json",
    "<%= config.bin %> deploy --all --confirm-production --resolver 127.0.0.1:5353",
  ];
  static args = {
    infrastructure: Args.string({ description: "AWS account name, e.g. Alpha002 (omit with --all)" }),
    partition: Args.string({ description: "partition name, e.g. dev (omit with --all)" }),
  };
  static flags = {
    ...deployFlags,
    all: Flags.boolean({ description: "walk the whole cascade: dev, then stage ∥ demo, then prod", default: false }),
    sequential: Flags.boolean({ description: "with --all: run stage and demo one after the other", default: false }),
  };

  public async run(): Promise<CascadeResult> {
    const platform = this.platform();
    const infra = this.args.infrastructure as string | undefined;
    const name = this.args.partition as string | undefined;
    if (this.flags.all && (infra || name)) throw new CliError("--all deploys every active partition: give no <infrastructure> <partition>", "drop the arguments, or drop --all");
    if (!this.flags.all && !(infra && name)) throw new CliError("missing <infrastructure> <partition> (or --all)", "e.g. arda-mail deploy Alpha002 dev", 2);
    const ctx = deployContext(
      {
        platform: () => platform,
        contextFile: () => this.contextFile(),
        secretStore: () => this.secretStore(),
        client: (t) => this.postmark(t),
        progress: (l) => this.progress(l),
        remember: (s) => this.rememberSecret(s),
        jsonEnabled: () => this.jsonEnabled(),
      },
      this.flags,
    );
    let result: CascadeResult;
    if (this.flags.all) {
      result = await deployCascade(ctx, { parallel: !this.flags.sequential });
    } else {
      const p = partitionOrFail(platform, infra!, name!);
      const t = Date.now();
      const r = await deployPartition(ctx, p);
      result = { ok: r.ok, wallMs: Date.now() - t, partitions: [r] };
    }
    this.progress(summary(result));
    if (!result.ok) throw new DeployFailed(result);
    return JSON.parse(this.clean(JSON.stringify(result))) as CascadeResult;
  }
}

export class DeployFailed extends FailedWithResult {
  constructor(readonly result: CascadeResult) {
    super(
      `deploy failed: ${result.partitions
        .filter((r) => !r.ok)
        .map((r) => `${r.partition} (${r.steps.find((s) => s.outcome === "failed" || s.outcome === "refused")?.step ?? "?"})`)
        .join(", ")}`,
      result,
    );
    this.name = "DeployFailed";
  }
}

export function summary(r: CascadeResult): string {
  const lines = [`deploy ${r.ok ? "succeeded" : "FAILED"} in ${(r.wallMs / 1000).toFixed(1)} s`];
  for (const p of r.partitions) lines.push(partitionSummary(p));
  return lines.join("\n");
}

export function partitionSummary(p: PartitionDeployResult): string {
  const lines = [`  ${p.partition} (${p.stack}): ${p.ok ? "ok" : "FAILED"}`];
  if (p.registered) lines.push(`    registered: ${p.registered.domain} — Postmark ${p.registered.postmark}${p.registered.domainId !== undefined ? ` (ID ${p.registered.domainId}, DKIM selector ${p.registered.dkimSelector})` : ""}, context ${p.registered.context}`);
  if (p.plan) lines.push(`    plan: ${formatPlan(p.plan)}`);
  if (p.verify) lines.push(`    verify: ${p.verify.ok ? "PASS" : "FAIL"} — ${p.verify.checks.map((c) => `${c.check} ${c.ok ? "ok" : "FAIL"}`).join(", ")}`);
  for (const s of p.steps) lines.push(`    ${s.outcome.padEnd(8)} ${s.step.padEnd(18)} ${(s.durationMs / 1000).toFixed(1).padStart(5)} s`);
  return lines.join("\n");
}
