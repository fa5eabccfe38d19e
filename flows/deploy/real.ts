/**
 * A real deploy of one stack — Root, Corporate or a partition — applied exactly as synthesized:
 * order → pre-flight → Root applied? → register → synth → terraform init (the stack's own backend)
 * → secret versions → plan → destructive-change guard → prod confirmation → apply → outputs → DNS
 * (sandbox hook) → verify → rollout record → second plan (must be empty). In `deploy --all` the
 * order check moves to just before the apply (after a `wait` for the stacks before it), so the
 * stack's plan is made while they apply. Every step is timed and reported; the first failing step
 * stops the stack.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { corporateContextKey, partitionContextKey, readContext, requireMailEntry, type MailContextEntry } from "../../platform/mail-context";
import type { Infrastructure, Platform } from "../../platform/model";
import { corporateDomain, infrastructure, partitionDomain, partitionKeyRegistryRef, partitionPostmarkTokenRef, postmarkAccount, ROOT_STACK, rootInfrastructure } from "../../platform/names";
import { corporateTarget as registerCorporateTarget, partitionTarget as registerPartitionTarget, registerDomain } from "../register";
import { synthPlatform } from "../synth";
import { secretsManagerReader, describeDecisions } from "../../lib/aws/secrets";
import { readAwsProfiles } from "../../lib/aws-config";
import type { DeployContext } from "./types";
import { interruptionOf } from "./interruption";
import { orderStep, preflightStep } from "./partition-steps";
import { StepLog, StepStop, type StepValue } from "./steps";
import { StepError, type PartitionDeployResult } from "./types";
import { formatPlan, type PlanCounts } from "../../lib/plan-summary";
import { isProduction, recordRollout } from "../../lib/rollout/state";
import { terraformEnv } from "../../lib/terraform";
import { dnsReader } from "../../lib/dns/reader";
import { corporateTarget as verifyCorporateTarget, formatReport, partitionTarget as verifyPartitionTarget, verifyDomain, type VerifyReport } from "../verify";
import { cascadeGraph, labelOf, runGraph, stackOf, type DeployTarget, type NodeTurn } from "./graph";
import { applyPlan, initStack, outputsOfBackend, planStack, secondPlan, secretVersions, stateOutputs, withVersions, type StackRun } from "./terraform-stack";

export type { DnsFollowHook } from "./types";

interface RunFacts {
  /** Set by `deploy --all` once Root succeeded in this run: the Root check need not read its state again. */
  readonly rootAppliedInThisRun?: boolean;
  /**
   * `deploy --all`: the stack prepares (up to its plan) at once and waits for its turn only before
   * applying — the rollout order is checked then; it tells the graph when it is verified.
   */
  readonly turn?: NodeTurn;
}

/** `p`, unless the operator interrupts first (a stack waiting for its turn stops at once). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    const stop = (): void => reject(new Error("interrupted while waiting for the stacks before it"));
    if (signal.aborted) return stop();
    signal.addEventListener("abort", stop, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", stop);
        resolve(v);
      },
      (e: unknown) => reject(e as Error),
    );
  });
}

/** The result of one stack's deploy (the partition result shape: `partition` is the label). */
export type StackDeployResult = PartitionDeployResult;

function infraOf(platform: Platform, t: DeployTarget): Infrastructure {
  if (t.kind === "partition") return infrastructure(platform, t.partition.infrastructure);
  if (t.kind === "corporate") return infrastructure(platform, platform.corporate.infrastructure);
  return rootInfrastructure(platform);
}

function zoneNameOf(platform: Platform, t: DeployTarget): string {
  return t.kind === "partition" ? partitionDomain(platform, t.partition) : t.kind === "corporate" ? corporateDomain(platform) : platform.mailRootDomain;
}

/** The 1Password values the stack's variables take, by variable name (memory only). */
async function stackSecrets(ctx: DeployContext, t: DeployTarget): Promise<Record<string, string>> {
  const read = async (ref: string): Promise<string> => {
    const v = await ctx.secrets.read(ref);
    ctx.remember(v);
    return v;
  };
  if (t.kind === "root") return {};
  if (t.kind === "corporate") return { postmark_account_token: await read(postmarkAccount(ctx.platform, ctx.platform.corporate.postmarkAccount).tokenRef) };
  return { postmark_account_token: await read(partitionPostmarkTokenRef(t.partition)), email_encryption_key_registry: await read(partitionKeyRegistryRef(t.partition)) };
}

export async function deployStackForReal(ctx: DeployContext, t: DeployTarget, o: RunFacts = {}): Promise<StackDeployResult> {
  const label = labelOf(t);
  const stack = stackOf(t);
  const infra = infraOf(ctx.platform, t);
  const result: { registered?: PartitionDeployResult["registered"]; plan?: PlanCounts; verify?: VerifyReport; secondPlanClean?: boolean; appliedResources?: number } = {};
  const dir = path.join(ctx.workDir, stack);
  fs.mkdirSync(dir, { recursive: true });

  const log = new StepLog(label, ctx.progress, interruptionOf(ctx, t.kind === "partition" ? t.partition : undefined));
  const steps = log.steps;
  const step = <T>(name: string, fn: () => Promise<StepValue<T>>): Promise<T> => log.run(name, fn);

  let stopFollowing = async (): Promise<void> => undefined;
  try {
    // The same order step as the offline deploy; in `deploy --all` it runs just before the apply.
    const checkOrder = async (): Promise<void> => {
      if (t.kind === "partition") await step("order", async () => orderStep(ctx, t.partition));
    };
    if (!o.turn) await checkOrder();

    const values = await step("preflight", async () => {
      if (t.kind === "partition") {
        // The same pre-flight as the offline deploy (offline: false here: the real profile and backend are checked).
        const r = await preflightStep(ctx, t.partition);
        return { value: { postmark_account_token: r.value.postmarkAccountToken, email_encryption_key_registry: r.value.keyRegistry } as Record<string, string>, detail: r.detail };
      }
      if (!infra.awsProfile)
        throw new StepError(
          `infrastructures.${infra.name}.awsProfile is not set in the model: ${stack} has no AWS profile to deploy with`,
          "failed",
          `set infrastructures.${infra.name}.awsProfile in platform/${ctx.platform.name}.platform.json`,
        );
      if (!readAwsProfiles(ctx.awsConfigFile).has(infra.awsProfile))
        throw new StepError(
          `AWS profile "${infra.awsProfile}" (infrastructures.${infra.name}.awsProfile) is not in ${ctx.awsConfigFile}`,
          "failed",
          `add [profile ${infra.awsProfile}] to ${ctx.awsConfigFile}, or point AWS_CONFIG_FILE at the right file`,
        );
      let secrets: Record<string, string>;
      try {
        secrets = await stackSecrets(ctx, t);
      } catch (e) {
        throw new StepError(`pre-flight failed, nothing was changed: ${(e as Error).message}`, "failed", "store the secret in 1Password, or check --secrets / OP_SERVICE_ACCOUNT_TOKEN");
      }
      return { value: secrets, detail: `profile "${infra.awsProfile}" found, region ${infra.region}${Object.keys(secrets).length ? ", secrets resolvable" : ""}` };
    });

    if (t.kind !== "root") {
      // Before anything changes (register creates a Postmark domain): Root's state must hold the adopted zone.
      await step("root-applied", async () => {
        if (o.rootAppliedInThisRun) return { value: undefined, detail: "Root applied and verified earlier in this run" };
        const rootDir = synthPlatform({ platform: ctx.platform, outdir: path.join(dir, "root-check"), contextFile: ctx.contextFile, stacks: [ROOT_STACK], hcl: false, stateRoot: ctx.stateRoot })
          .stackDirs[ROOT_STACK];
        const rootJson = JSON.parse(fs.readFileSync(path.join(rootDir, "cdk.tf.json"), "utf8")) as { terraform?: { backend?: unknown } };
        const rootEnv = terraformEnv(
          { AWS_PROFILE: rootInfrastructure(ctx.platform).awsProfile ?? "", AWS_REGION: rootInfrastructure(ctx.platform).region, AWS_CONFIG_FILE: ctx.awsConfigFile },
          ctx.env,
        );
        const outputs = await outputsOfBackend(rootJson, path.join(path.dirname(rootDir), `${ROOT_STACK}.outputs`), rootEnv);
        const id = outputs.MailRootZoneId;
        if (id !== ctx.platform.rootZone.id) {
          throw new StepError(
            id === undefined ? `Root is not applied yet: its state has no MailRootZoneId output` : `Root's state adopts zone ${String(id)}, not the model's rootZone.id ${ctx.platform.rootZone.id}`,
            "refused",
            "run `arda-mail deploy root` first (every child stack writes its NS delegation through Root's role into Root's zone)",
          );
        }
        return { value: undefined, detail: `Root applied: ${ctx.platform.mailRootDomain} is ${id}` };
      });
    }

    if (t.kind !== "root") {
      await step("register", async () => {
        const target = t.kind === "partition" ? registerPartitionTarget(ctx.platform, t.partition.infrastructure, t.partition.name) : registerCorporateTarget(ctx.platform);
        const r = await registerDomain({
          target,
          client: ctx.client(values.postmark_account_token),
          contextFile: ctx.contextFile,
          dryRun: ctx.planOnly,
          update: false,
          progress: (l) => ctx.progress(`  ${l}`),
        });
        result.registered = { domain: r.domain, postmark: r.postmark, context: r.context, domainId: r.entry?.domainId, dkimSelector: r.entry?.dkimSelector };
        if (r.context === "differs-not-written")
          throw new StepError(
            `Postmark's values for ${r.domain} differ from ${r.contextKey}: ${(r.differences ?? []).join("; ")}`,
            "failed",
            `run \`arda-mail register ${t.kind === "partition" ? `${t.partition.infrastructure} ${t.partition.name}` : "corporate"} --update\`, review and commit the context`,
          );
        return { value: undefined, detail: `${r.domain}: Postmark ${r.postmark}${r.entry ? ` (ID ${r.entry.domainId}, DKIM ${r.entry.dkimSelector})` : ""}, context ${r.context}` };
      });
    }

    const stackDirs = await step("synth", async () => {
      const s = synthPlatform({ platform: ctx.platform, outdir: path.join(dir, "out"), contextFile: ctx.contextFile, stacks: [stack], hcl: false, stateRoot: ctx.stateRoot });
      return { value: s.stackDirs, detail: `${stack} → ${path.join(s.stackDirs[stack], "cdk.tf.json")}` };
    });

    const tfEnv = terraformEnv(
      {
        ...Object.fromEntries(Object.entries(values).map(([k, v]) => [`TF_VAR_${k}`, v])),
        AWS_PROFILE: infra.awsProfile ?? "",
        AWS_REGION: infra.region,
        AWS_CONFIG_FILE: ctx.awsConfigFile,
        ...(ctx.postmarkUrl ? { POSTMARK_API_URL: ctx.postmarkUrl } : {}),
      },
      ctx.env,
    );
    let run: StackRun = { stack, dir: stackDirs[stack], env: tfEnv, signal: ctx.signal, ...(ctx.verbose ? { tee: (l: string) => ctx.progress(l) } : {}) };

    // Sandbox: the local DNS follows Route53 from here on — also while this run waits for the lock of
    // an earlier run's Terraform that outlived its CLI (its Postmark verification needs the records served).
    const follower = ctx.followDns?.({ stack, infrastructure: infra.name, zoneName: zoneNameOf(ctx.platform, t) });
    let following = Boolean(follower);
    stopFollowing = async (): Promise<void> => {
      if (following) await follower!.stop().catch(() => undefined);
      following = false;
    };

    await step("init", async () => {
      await initStack(run);
      return { value: undefined, detail: `terraform init with ${stack}'s ${infra.backend.kind} backend` };
    });

    if (t.kind === "partition") {
      run = await step("secret-versions", async () => {
        const reader = (ctx.secretsReader ?? ((i: Infrastructure) => secretsManagerReader({ profile: i.awsProfile ?? "", region: i.region, configFile: ctx.awsConfigFile, env: ctx.env })))(infra);
        const decisions = await secretVersions(run, values, reader);
        return { value: withVersions(run, decisions), detail: describeDecisions(decisions) };
      });
    }

    const planned = await step("plan", async () => {
      const p = await planStack(run);
      result.plan = p.counts;
      return { value: p, detail: `${stack}: ${formatPlan(p.counts)}` };
    });

    await step("destructive-check", async () => {
      if (planned.counts.destructive.length && !ctx.allowDestructive) {
        throw new StepError(
          `the plan destroys or replaces ${planned.counts.destructive.join(", ")}: a zone or the key secret is never removed silently`,
          "refused",
          "review the plan; re-run with --allow-destructive-changes only if that is intended",
        );
      }
      return {
        value: undefined,
        detail: planned.counts.destructive.length ? `allowed by --allow-destructive-changes: ${planned.counts.destructive.join(", ")}` : "no zone or key secret destroyed or replaced",
      };
    });

    if (o.turn) {
      const turn = o.turn;
      const failed = await step("wait", async () => {
        const before = turn.after.filter((s) => s !== stack);
        const f = await untilAborted(turn.wait(), ctx.signal);
        return f.length
          ? { value: f, outcome: "skipped" as const, detail: `not applied: ${f.join(", ")} failed (planned only)` }
          : { value: f, detail: before.length ? `${before.join(", ")} applied and verified` : "no stack before it" };
      });
      if (failed.length) return { partition: label, stack, ok: false, steps, ...result };
      await checkOrder();
    }

    if (ctx.planOnly) {
      log.skipped("apply", "--plan-only: stopped after the plan");
      return { partition: label, stack, ok: true, steps, ...result };
    }

    if (t.kind === "partition" && isProduction(t.partition)) {
      await step("confirm-production", async () => {
        if (!(await ctx.confirmProduction(t.partition, planned.counts)))
          throw new StepError(
            `production deploy of ${stack} not confirmed (plan: ${formatPlan(planned.counts)})`,
            "refused",
            "re-run with --confirm-production, or answer the prompt in an interactive terminal",
          );
        return { value: undefined, detail: `confirmed (plan: ${formatPlan(planned.counts)})` };
      });
    }

    o.turn?.applying();
    await step("apply", async () => {
      const changes = planned.counts.add + planned.counts.change + planned.counts.destroy;
      if (changes === 0 && planned.counts.import === 0) {
        result.appliedResources = 0;
        return { value: undefined, detail: "nothing to apply (the plan is empty)" };
      }
      const note = (): void =>
        ctx.progress(`${label}: interrupt received during apply — terraform finishes its changes first (a half-finished apply would leave tainted resources), then the deploy stops`);
      ctx.signal?.addEventListener("abort", note, { once: true });
      try {
        await applyPlan(run);
      } finally {
        ctx.signal?.removeEventListener("abort", note);
      }
      result.appliedResources = changes;
      return { value: undefined, detail: `applied ${stack}: ${formatPlan(planned.counts)}` };
    });
    result.appliedResources ??= 0;

    const outputs = await step("outputs", async () => {
      const out = await stateOutputs(run);
      return { value: out, detail: `${Object.keys(out).length} outputs from state: ${Object.keys(out).join(", ")}` };
    });

    if (follower) {
      following = false;
      await step("dns", async () => ({ value: undefined, detail: await follower.stop(outputs) }));
    }

    await step("verify", async () => {
      if (t.kind === "root") {
        const ok = outputs.MailRootZoneId === ctx.platform.rootZone.id && typeof outputs.AllowCreatingNSRecordsRoleArn === "string";
        if (!ok)
          throw new StepError(`Root's outputs are not the adopted zone ${ctx.platform.rootZone.id} and the NS role: ${JSON.stringify(outputs)}`, "failed", "read the apply output with --verbose");
        return { value: undefined, detail: `adopted ${ctx.platform.mailRootDomain} (${ctx.platform.rootZone.id}); NS role ${String(outputs.AllowCreatingNSRecordsRoleArn)}` };
      }
      if (t.kind === "partition" && t.partition.zoneId && outputs.PartitionMailZoneId !== t.partition.zoneId)
        throw new StepError(
          `${stack} manages zone ${String(outputs.PartitionMailZoneId)}, not the live zone the model records (partitions.${t.partition.name}.zoneId ${t.partition.zoneId})`,
          "failed",
          "the stack's state holds another zone: compare it with Route53 (arda-mail takeover --plan-only) before anything else",
        );
      const context = readContext(ctx.contextFile);
      const entry: MailContextEntry =
        t.kind === "partition"
          ? requireMailEntry(context, partitionContextKey(t.partition), partitionDomain(ctx.platform, t.partition), ctx.contextFile)
          : requireMailEntry(context, corporateContextKey(ctx.platform), corporateDomain(ctx.platform), ctx.contextFile);
      const target = t.kind === "partition" ? verifyPartitionTarget(ctx.platform, t.partition, entry) : verifyCorporateTarget(ctx.platform, entry);
      const r = await verifyDomain(target, {
        dns: dnsReader(ctx.resolver, { parentServer: ctx.parentServer }),
        postmark: ctx.client(values.postmark_account_token),
        outputs: { kind: "state", names: Object.keys(outputs) },
        attempts: ctx.verifyAttempts ?? 5,
        delayMs: ctx.verifyDelayMs ?? 3000,
      });
      result.verify = r;
      if (t.kind === "partition") {
        await recordRollout(ctx.rolloutFile, ctx.platform, t.partition, {
          verified: r.ok,
          at: new Date().toISOString(),
          mode: "applied",
          plan: { add: planned.counts.add, change: planned.counts.change, destroy: planned.counts.destroy },
          ...(r.ok ? {} : { failedChecks: r.checks.filter((c) => !c.ok).map((c) => c.check) }),
        });
      }
      if (!r.ok)
        throw new StepError(
          formatReport(r),
          "failed",
          `fix the failing records and run \`arda-mail verify ${t.kind === "partition" ? `${t.partition.infrastructure} ${t.partition.name}` : "corporate"}\``,
        );
      return { value: undefined, detail: `${r.checks.length} checks passed via ${r.resolver}${t.kind === "partition" ? `; recorded verified in ${path.basename(ctx.rolloutFile)}` : ""}` };
    });

    // Applied and verified: the stacks after this one may go on while its second plan runs — once
    // they are applying (mostly Route53's waits), so it does not slow their plans.
    if (o.turn) {
      o.turn.ready();
      await untilAborted(o.turn.dependentsApplying(), ctx.signal).catch(() => undefined);
    }

    await step("second-plan", async () => {
      if (result.appliedResources === 0) {
        result.secondPlanClean = true;
        return { value: undefined, detail: "the plan was already empty: nothing applied, nothing to re-check" };
      }
      const s = await secondPlan(run);
      result.secondPlanClean = s.clean;
      if (!s.clean)
        throw new StepError(
          `${stack} did not converge: a second plan still changes ${s.pending.join(", ")}`,
          "failed",
          "read the plan with --verbose; a stack that never converges is a bug in the stack or the provider",
        );
      return { value: undefined, detail: "a second plan is empty (terraform plan -detailed-exitcode exited 0)" };
    });

    return { partition: label, stack, ok: true, steps, ...result };
  } catch (e) {
    if (!(e instanceof StepStop)) throw e;
    return { partition: label, stack, ok: false, steps, ...result };
  } finally {
    await stopFollowing();
  }
}

export interface RealCascadeResult {
  readonly ok: boolean;
  readonly wallMs: number;
  /** Every stack in graph order (the `--json` field keeps its name from the partition-only cascade). */
  readonly partitions: StackDeployResult[];
}

/** `deploy --all` for real: Root → {Corporate, dev} → {stage, demo} → prod, each stack as soon as its dependencies succeeded. */
export async function deployAllForReal(ctx: DeployContext, opts: { readonly parallel: boolean }): Promise<RealCascadeResult> {
  const started = Date.now();
  const partitions = await runGraph<StackDeployResult>(
    cascadeGraph(ctx.platform),
    async (t, turn) => {
      // Every other stack starts only once Root is ready (applied and verified) in this run.
      return deployStackForReal(ctx, t, { rootAppliedInThisRun: t.kind !== "root", turn });
    },
    (t, failed) => {
      ctx.progress(`${labelOf(t)}: not deployed — ${failed.join(", ")} failed`);
      return {
        partition: labelOf(t),
        stack: stackOf(t),
        ok: false,
        steps: [{ step: "dependencies", outcome: "skipped", startedAt: Date.now(), durationMs: 0, detail: `not run: ${failed.join(", ")} failed` }],
      };
    },
    opts,
  );
  return { ok: partitions.every((p) => p.ok), wallMs: Date.now() - started, partitions };
}
