import * as fs from "node:fs";
import { Args, Flags } from "@oclif/core";
import { deployCascade, deployPartition, type CascadeResult } from "../../flows/deploy/deploy";
import { deployStackForReal } from "../../flows/deploy/real";
import { formatPlan } from "../../lib/plan-summary";
import type { PartitionDeployResult } from "../../flows/deploy/types";
import { ArdaCommand, CliError } from "../base-command";
import { deployContext, deployFlags } from "../lib/deploy-flags";
import { FailedWithResult } from "../lib/errors";
import { partitionOrFail } from "../lib/args";
import { interruptExitCode, listenForInterrupt } from "../lib/interrupt";

export default class Deploy extends ArdaCommand<typeof Deploy> {
  static summary = "Deploy Root, Corporate or a partition's email stack: pre-flight, register, plan, apply, second plan, verify — in rollout order.";
  static description =
    "Runs, for <infrastructure>-<partition>-Email: the rollout-order check (dev → stage ∥ demo → prod, DQ-R1-021, read from " +
    "rollout/<platform>.json), pre-flight (AWS profile from the model present in AWS_CONFIG_FILE, region, secrets resolvable, " +
    "context not stale vs Postmark, backend), register, synth + terraform plan with the secrets as TF_VAR_ environment variables " +
    "(never a file, never argv), a refusal when the plan destroys or replaces a zone or the key secret, the prod confirmation, " +
    "apply (skipped offline), a second plan that must be empty, then verify; the verified state is recorded for the next run. " +
    "Before the plan, each write-only secret's *_version is bumped only when Secrets Manager's current value differs from 1Password's " +
    "(compared in memory). `deploy root` and `deploy corporate` deploy those stacks; a partition or Corporate refuses until Root is applied. " +
    "--all walks the whole cascade: Root → {Corporate, dev} → {stage, demo} → prod, independent stacks in parallel. The exit code is non-zero when any step or child process fails; --json lists every step with " +
    "its outcome and duration. Progress goes to stderr; terraform's own output with --verbose. SIGINT/SIGTERM (Ctrl-C) stop the " +
    "deploy cleanly: terraform gets one SIGINT and releases its lock (an apply in progress finishes its changes first, so nothing is left tainted), the step is recorded as interrupted, exit 130/143. The temp " +
    "directory with the synthesized stacks and plans is removed at the end unless --keep.";
  static examples = [
    "<%= config.bin %> deploy root",
    "<%= config.bin %> deploy corporate",
    "<%= config.bin %> deploy Alpha002 dev",
    "<%= config.bin %> deploy Alpha001 prod --plan-only",
    "<%= config.bin %> deploy Alpha001 prod --confirm-production --json",
    "<%= config.bin %> deploy --all --confirm-production --resolver 127.0.0.1:5353",
    "<%= config.bin %> deploy Alpha002 dev --plan-only --keep",
  ];
  static args = {
    infrastructure: Args.string({ description: "AWS account name, e.g. Alpha002; or `root` / `corporate` (omit with --all)" }),
    partition: Args.string({ description: "partition name, e.g. dev (omit with --all)" }),
  };
  static flags = {
    ...deployFlags,
    all: Flags.boolean({ description: "walk the whole cascade: Root, then Corporate ∥ dev, then stage ∥ demo, then prod (offline: the partitions only)", default: false }),
    sequential: Flags.boolean({ description: "with --all: one stack at a time", default: false }),
  };

  public async run(): Promise<CascadeResult> {
    const platform = this.platform();
    const infra = this.args.infrastructure as string | undefined;
    const name = this.args.partition as string | undefined;
    if (this.flags.all && (infra || name)) throw new CliError("--all deploys every active partition: give no <infrastructure> <partition>", "drop the arguments, or drop --all");
    const single = !name && (infra === "root" || infra === "corporate") ? infra : undefined;
    if (!this.flags.all && !single && !(infra && name)) throw new CliError("missing <infrastructure> <partition> (or root, corporate, --all)", "e.g. arda-mail deploy Alpha002 dev", 2);
    // SIGINT/SIGTERM stop the deploy: forwarded once to Terraform (graceful stop, lock released),
    // the running step recorded as interrupted, the temp directory removed, exit 130/143.
    const stop = listenForInterrupt((l) => this.progress(l), {
      first: (sig) => `${sig} received: stopping — terraform gets one SIGINT (it finishes or cancels its current operation and releases the state lock); waiting for it`,
      again: (sig) => `${sig} again: still waiting for terraform to stop and release its lock`,
    });
    let ctx: ReturnType<typeof deployContext> | undefined;
    try {
      ctx = deployContext(
        {
          platform: () => platform,
          contextFile: () => this.contextFile(),
          secretStore: () => this.secretStore(),
          client: (t) => this.postmark(t),
          progress: (l) => this.progress(l),
          remember: (s) => this.rememberSecret(s),
          jsonEnabled: () => this.jsonEnabled(),
          postmarkUrl: () => this.postmarkUrl(),
        },
        this.flags,
        stop.signal,
      );
      let result: CascadeResult;
      const t = Date.now();
      if (this.flags.all) {
        result = await deployCascade(ctx, { parallel: !this.flags.sequential });
      } else if (single) {
        if (ctx.offline)
          throw new CliError(
            `${single === "root" ? "Root" : "Corporate"} deploys only for real: offline, \`npm run plan:offline -- --stack ${single === "root" ? "Root" : "Corporate"}\` plans it`,
            "configure the AWS profiles (or the sandbox's local AWS) and re-run without --offline",
            2,
          );
        const r = await deployStackForReal(ctx, { kind: single });
        result = { ok: r.ok, wallMs: Date.now() - t, partitions: [r] };
      } else {
        const r = await deployPartition(ctx, partitionOrFail(platform, infra!, name!));
        result = { ok: r.ok, wallMs: Date.now() - t, partitions: [r] };
      }
      this.progress(summary(result));
      if (stop.signal.aborted) throw new DeployInterrupted(result, stop.signal.reason as NodeJS.Signals);
      if (!result.ok) throw new DeployFailed(result);
      return JSON.parse(this.clean(JSON.stringify(result))) as CascadeResult;
    } finally {
      stop.release();
      if (ctx?.ownsWorkDir) {
        if (this.flags.keep) this.progress(`kept the work directory ${ctx.workDir} (--keep)`);
        else fs.rmSync(ctx.workDir, { recursive: true, force: true });
      }
    }
  }
}

/** The operator stopped the deploy: exit 128 + the signal number, the steps so far still reported. */
export class DeployInterrupted extends FailedWithResult {
  constructor(
    readonly result: CascadeResult,
    signal: NodeJS.Signals,
  ) {
    const where = result.partitions.flatMap((r) => r.steps.filter((s) => s.outcome === "interrupted").map((s) => `${r.partition} (${s.step})`));
    super(
      `deploy interrupted by ${signal}${where.length ? ` during ${where.join(", ")}` : ""}; terraform was stopped and released its lock; the rollout record notes it. Re-run the same deploy to continue: every step is idempotent`,
      result,
      interruptExitCode(signal),
    );
    this.name = "DeployInterrupted";
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
  if (p.registered)
    lines.push(
      `    registered: ${p.registered.domain} — Postmark ${p.registered.postmark}${p.registered.domainId !== undefined ? ` (ID ${p.registered.domainId}, DKIM selector ${p.registered.dkimSelector})` : ""}, context ${p.registered.context}`,
    );
  if (p.plan) lines.push(`    plan: ${formatPlan(p.plan)}`);
  if (p.appliedResources !== undefined) lines.push(`    applied: ${p.appliedResources} resources; second plan ${p.secondPlanClean ? "clean" : p.secondPlanClean === false ? "NOT clean" : "not run"}`);
  if (p.verify) lines.push(`    verify: ${p.verify.ok ? "PASS" : "FAIL"} — ${p.verify.checks.map((c) => `${c.check} ${c.ok ? "ok" : "FAIL"}`).join(", ")}`);
  for (const s of p.steps) lines.push(`    ${s.outcome.padEnd(8)} ${s.step.padEnd(18)} ${(s.durationMs / 1000).toFixed(1).padStart(5)} s`);
  return lines.join("\n");
}
