/**
 * Flags and context shared by `deploy`, `verify` and `demo`: where DNS answers come from, the
 * rollout record, offline mode, and building the deploy library's DeployContext from a command.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as readline from "node:readline/promises";
import { Flags } from "@oclif/core";
import type { Partition, Platform } from "../../platform/model";
import { awsConfigFile } from "../../lib/aws-config";
import type { DeployContext } from "../../flows/deploy/deploy";
import { formatPlan } from "../../lib/plan-summary";
import type { PlanCounts } from "../../lib/plan-summary";
import type { PostmarkClient } from "../../lib/postmark/client";
import { readRollout, rolloutFile } from "../../lib/rollout/state";
import type { SecretStore } from "../../lib/secrets/store";
import { dnsReader, type DnsReader } from "../../lib/dns/reader";
import { CliError } from "./errors";
import { followDnsFromFlag, publishDnsFromFlag } from "./sandbox-hooks";
import { stateRootFromEnvironment } from "../../constructs/state-backend";

export const resolverFlag = Flags.string({ description: "DNS server to read from, <ip>:<port> (default: the system resolver)", env: "ARDA_MAIL_RESOLVER" });
export const parentServerFlag = Flags.string({
  description: "the parent zone's DNS server, <ip>:<port>, asked (without recursion) for the NS delegation (default: the parent's own name servers, port 53)",
  env: "ARDA_MAIL_PARENT_SERVER",
});

/** `--resolver` and `--parent-server` → the DNS reader of verify, deploy and drift; a malformed address exits 2. */
export function dnsReaderFromFlags(flags: { resolver?: string; "parent-server"?: string }): DnsReader {
  try {
    return dnsReader(flags.resolver, { parentServer: flags["parent-server"] });
  } catch (e) {
    throw new CliError((e as Error).message, "pass --resolver / --parent-server as <ip>:<port>", 2);
  }
}

export const deployFlags = {
  resolver: resolverFlag,
  "parent-server": parentServerFlag,
  offline: Flags.boolean({
    description: "plan offline (fake credentials, local override state) and skip apply; default on for the sandbox platform unless a local AWS is configured (a loopback AWS_ENDPOINT_URL)",
    allowNo: true,
  }),
  "plan-only": Flags.boolean({ description: "stop after the plan summary (adds / changes / destroys); registers nothing new", default: false }),
  "allow-destructive-changes": Flags.boolean({ description: "proceed even when the plan destroys or replaces a zone or the key secret", default: false }),
  "confirm-production": Flags.boolean({ description: "confirm a prod deploy without the interactive prompt", default: false }),
  verbose: Flags.boolean({ description: "show terraform's own output (on stderr)", default: false }),
  "rollout-file": Flags.string({ description: "rollout record (default rollout/<platform>.json)", env: "ARDA_MAIL_ROLLOUT_FILE" }),
  "local-dns": Flags.string({ description: "directory of a running local DNS server (sandbox): publish the synthesized records there instead of Route53", env: "ARDA_MAIL_LOCAL_DNS" }),
  "work-dir": Flags.string({ description: "scratch directory for synthesized stacks and plans (default: a temp dir, removed at the end unless --keep)" }),
  keep: Flags.boolean({ description: "keep the temp directory with the synthesized stacks and plans (its path is printed)", default: false }),
  "verify-attempts": Flags.integer({ description: "Postmark verifyDkim / verifyReturnPath calls before giving up", default: 5, min: 1 }),
  "verify-delay-ms": Flags.integer({ description: "pause between Postmark verify calls", default: 3000, min: 0 }),
};

export interface DeployHost {
  platform(): Platform;
  contextFile(): string;
  secretStore(): SecretStore;
  client(token: string): PostmarkClient;
  progress(line: string): void;
  remember(secret: string): void;
  jsonEnabled(): boolean;
  /** The Postmark API URL the command uses (the Terraform provider is pointed at the same one). */
  postmarkUrl?(): string;
}

/** Interactive confirmation showing the plan summary; never in --json mode or without a TTY. */
export function productionConfirmer(confirmFlag: boolean, interactive: boolean): DeployContext["confirmProduction"] {
  return async (p: Partition, plan: PlanCounts): Promise<boolean> => {
    if (confirmFlag) return true;
    if (!interactive || !process.stdin.isTTY) return false;
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
    try {
      const answer = await rl.question(`PRODUCTION: ${p.infrastructure}-${p.name}-Email will change: ${formatPlan(plan)}. Type "${p.name}" to deploy: `);
      return answer.trim() === p.name;
    } finally {
      rl.close();
    }
  };
}

/** The sandbox platform applies for real only against a local AWS on loopback; a real platform always does. */
export function defaultOffline(platform: Platform, env: NodeJS.ProcessEnv): boolean {
  return platform.name === "sandbox" && !/^http:\/\/127\.0\.0\.1:\d+$/.test(env.AWS_ENDPOINT_URL ?? "");
}

/**
 * Every flag checked before the first step (a bad --resolver must not surface only in verify,
 * after an apply): DNS addresses, the local DNS directory, the rollout record's schema, the work
 * directory. Then the scratch directory is made (a temp dir unless --work-dir; the caller removes
 * it unless --keep).
 */
export function deployContext(host: DeployHost, flags: Record<string, unknown>, signal?: AbortSignal): DeployContext & { ownsWorkDir: boolean } {
  const platform = host.platform();
  const offline = (flags.offline as boolean | undefined) ?? defaultOffline(platform, process.env);
  dnsReaderFromFlags(flags as { resolver?: string; "parent-server"?: string });
  const localDns = flags["local-dns"] as string | undefined;
  if (localDns !== undefined && !isDirectory(localDns))
    throw new CliError(`--local-dns ${localDns} is not a directory of a running local DNS server`, "start the sandbox DNS (arda-mail demo does), or drop --local-dns", 2);
  const rollout = rolloutFile(platform, flags["rollout-file"] as string | undefined);
  try {
    readRollout(rollout, platform);
  } catch (e) {
    throw new CliError((e as Error).message, `fix ${rollout} (or restore it from git), or point --rollout-file elsewhere`);
  }
  const explicitWorkDir = flags["work-dir"] as string | undefined;
  if (explicitWorkDir !== undefined && fs.existsSync(explicitWorkDir) && !isDirectory(explicitWorkDir))
    throw new CliError(`--work-dir ${explicitWorkDir} is a file, not a directory`, "pass a directory (it is created when missing), or drop --work-dir for a temp directory", 2);
  const workDir = explicitWorkDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "arda-mail-deploy-"));
  return {
    platform,
    contextFile: host.contextFile(),
    secrets: host.secretStore(),
    client: (t) => host.client(t),
    awsConfigFile: awsConfigFile(),
    offline,
    resolver: flags.resolver as string | undefined,
    parentServer: flags["parent-server"] as string | undefined,
    ...(offline ? { publishDns: publishDnsFromFlag(localDns) } : { followDns: followDnsFromFlag(localDns, platform, process.env) }),
    postmarkUrl: host.postmarkUrl?.(),
    stateRoot: stateRootFromEnvironment(),
    planOnly: Boolean(flags["plan-only"]),
    allowDestructive: Boolean(flags["allow-destructive-changes"]),
    verbose: Boolean(flags.verbose),
    confirmProduction: productionConfirmer(Boolean(flags["confirm-production"]), !host.jsonEnabled()),
    rolloutFile: rollout,
    workDir,
    ownsWorkDir: explicitWorkDir === undefined,
    progress: (l) => host.progress(l),
    remember: (s) => host.remember(s),
    verifyAttempts: flags["verify-attempts"] as number | undefined,
    verifyDelayMs: flags["verify-delay-ms"] as number | undefined,
    env: process.env,
    signal,
  };
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
