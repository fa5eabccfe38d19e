import * as fs from "node:fs";
import { Flags } from "@oclif/core";
import { readContext } from "../../platform/mail-context";
import type { MailContextEntry } from "../../platform/mail-context";
import { formatReport, verifyDomain, type OutputsSource, type VerifyReport, type VerifyTarget } from "../../flows/verify";
import { describeFsError } from "../../lib/atomic-file";
import { ArdaCommand, CliError } from "../base-command";
import { plannedOutputNames, type PlanJson } from "../../lib/plan-summary";
import { dnsReaderFromFlags, parentServerFlag, resolverFlag } from "./deploy-flags";
import type { Command } from "@oclif/core";

/** The common body of `verify <infra> <partition>` and `verify corporate`. */
export abstract class VerifyCommandBase<T extends typeof Command> extends ArdaCommand<T> {
  static sharedFlags = {
    resolver: resolverFlag,
    "parent-server": parentServerFlag,
    attempts: Flags.integer({ description: "Postmark verifyDkim / verifyReturnPath calls before giving up", default: 5, min: 1 }),
    "delay-ms": Flags.integer({ description: "pause between Postmark verify calls", default: 3000, min: 0 }),
    "no-postmark": Flags.boolean({ description: "check DNS only (no Postmark verify calls)", default: false }),
    "plan-json": Flags.string({ description: "offline: `terraform show -json` of the stack's plan; the six outputs are checked among its planned outputs" }),
  };

  protected async verify(
    target: (entry: MailContextEntry) => VerifyTarget,
    readEntry: (ctx: Record<string, unknown>, file: string) => MailContextEntry,
    tokenRef: string,
    purpose: string,
  ): Promise<VerifyReport> {
    const flags = this.flags as unknown as { resolver?: string; "parent-server"?: string; attempts: number; "delay-ms": number; "no-postmark": boolean; "plan-json"?: string };
    // Every flag first, before the context is read or anything is asked.
    const dns = dnsReaderFromFlags(flags);
    let outputs: OutputsSource | undefined;
    if (flags["plan-json"]) {
      outputs = { kind: "plan", names: plannedOutputNames(readPlanJson(flags["plan-json"])) };
    }
    const file = this.contextFile();
    let entry: MailContextEntry;
    try {
      entry = readEntry(readContext(file), file);
    } catch (e) {
      throw new CliError((e as Error).message, "run the register command named above, then verify again");
    }
    const postmark = flags["no-postmark"] ? undefined : this.postmark(await this.readSecret(tokenRef, purpose));
    const report = await verifyDomain(target(entry), { dns, postmark, outputs, attempts: flags.attempts, delayMs: flags["delay-ms"] });
    this.progress(formatReport(report));
    if (!outputs) this.progress("  (outputs not checked: give --plan-json offline; after a real apply, `terraform output` in the stack)");
    if (!report.ok) {
      const failed = report.checks.filter((c) => !c.ok);
      throw new CliError(
        `verify ${report.target} failed: ${failed.map((c) => `${c.check} (${c.subject}: expected ${c.expected}, seen ${c.seen})`).join("; ")}`,
        "fix the records (or wait for Postmark) and verify again",
        1,
        { report },
      );
    }
    return report;
  }
}

/** `--plan-json`: read and shape-checked up front; every failure names the file. */
export function readPlanJson(file: string): PlanJson {
  const next = "pass the output of `terraform show -json <planfile>` for this stack";
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new CliError(`--plan-json ${file} ${describeFsError(e as NodeJS.ErrnoException)}`, next, 2);
  }
  let plan: unknown;
  try {
    plan = JSON.parse(text);
  } catch (e) {
    throw new CliError(`--plan-json ${file} is not valid JSON (${(e as Error).message})`, next, 2);
  }
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  const p = plan as Record<string, unknown>;
  if (
    !isObject(plan) ||
    (p.output_changes !== undefined && !isObject(p.output_changes)) ||
    (p.planned_values !== undefined && !(isObject(p.planned_values) && (p.planned_values.outputs === undefined || isObject(p.planned_values.outputs))))
  ) {
    throw new CliError(`--plan-json ${file} is not a Terraform plan in JSON (expected an object with output_changes / planned_values.outputs objects)`, next, 2);
  }
  return plan as PlanJson;
}
