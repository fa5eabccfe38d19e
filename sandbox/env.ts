/**
 * The embedded default the demo, the bench and the tests run on: the Postmark sandbox on loopback,
 * the real DNS server (knotd, when installed: one for the mail root zone, one for the zones below it), a file secret store with
 * generated values, an AWS config with the model's profiles, a scratch context file and rollout
 * record — all in one scratch directory. Nothing committed is touched. With `localAws`, also the
 * local AWS (moto on loopback) with the registrar's zone, so every stack is applied for real.
 */
import { randomBytes, randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Platform } from "../platform/model";
import { corporateServerTokenRef, partitionKeyRegistryRef, partitionPostmarkTokenRef } from "../platform/names";
import { startSandbox, type RunningSandbox } from "./postmark/server";
import { findKnotd, startDnsTree, type DnsTree } from "./dns/knot";
import { assembleZones } from "./dns/zone";
import { startLocalAws, type LocalAws } from "./aws/moto";
import { localPlatform } from "./aws/local-platform";
import { route53DnsHook } from "./aws/publish-dns";
import type { DnsFollowHook } from "../flows/deploy/real";

export interface SandboxEnvironment {
  readonly dir: string;
  readonly sandbox: RunningSandbox;
  /** Undefined when Knot DNS is not installed. */
  readonly dns?: DnsTree;
  readonly secretsFile: string;
  readonly awsConfigFile: string;
  readonly contextFile: string;
  readonly rolloutFile: string;
  readonly workDir: string;
  /** Every secret value generated (the account token and each key registry), for canary checks. */
  readonly secretValues: readonly string[];
  /** The global flags every command takes, pointing it at this environment (platform, secrets, Postmark, context file). */
  readonly baseFlags: string[];
  /** Global + deploy flags pointing a command at this environment. */
  readonly flags: string[];
  /** Environment variables for a child `arda-mail` process (AWS_CONFIG_FILE; with the local AWS its endpoint, the model file, the state root). */
  readonly env: NodeJS.ProcessEnv;
  /** The model the environment deploys (with the local AWS: the registrar zone's id). */
  readonly platform: Platform;
  /** With `localAws`: moto on loopback, where local-backend state lives, and the DNS hook of a real apply. */
  readonly localAws?: { readonly aws: LocalAws; readonly stateRoot: string; readonly platformFile: string; readonly followDns?: DnsFollowHook };
  close(): Promise<void>;
}

/** A registry in the shape `keys check` accepts: {uuid: base64(64 bytes)}. */
export function generatedKeyRegistry(): string {
  return JSON.stringify({ [randomUUID()]: randomBytes(64).toString("base64") });
}

export interface SandboxEnvOptions {
  readonly platform: Platform;
  readonly dir?: string;
  /** The account token; default a generated `sandbox-canary-…` value. */
  readonly token?: string;
  /** Leave these secret references out of the store (pre-flight tests). */
  readonly omitSecrets?: readonly string[];
  /** Leave these AWS profiles out of the AWS config (pre-flight tests). */
  readonly omitProfiles?: readonly string[];
  readonly dkimVerifyAfterCalls?: number;
  /** Start no DNS server even when knot is installed. */
  readonly noDns?: boolean;
  /** Start the local AWS (moto) and apply for real; throws naming the pip package when moto is missing. */
  readonly localAws?: boolean;
}

export async function startSandboxEnvironment(o: SandboxEnvOptions): Promise<SandboxEnvironment> {
  const dir = o.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "arda-mail-sandbox-"));
  fs.mkdirSync(dir, { recursive: true });
  const token = o.token ?? `sandbox-canary-${randomUUID()}`;
  const aws = o.localAws ? await startLocalAws(o.platform, { dir: path.join(dir, "aws") }) : undefined;
  const local = aws
    ? await localPlatform(o.platform, aws, dir).catch(async (e: unknown) => {
        await aws.stop();
        throw e;
      })
    : undefined;
  const platform = local?.platform ?? o.platform;
  // A daemon that fails to start stops the ones already running (a live moto_server kept a failed bench alive).
  const stopStarted = async (e: unknown, ...started: Array<{ stop(): Promise<void> } | undefined>): Promise<never> => {
    for (const d of started) await d?.stop().catch(() => undefined);
    throw e;
  };
  const dns =
    !o.noDns && findKnotd()
      ? await startDnsTree([platform.mailRootDomain], assembleZones([platform.mailRootDomain], []), { dir: path.join(dir, "dns") }).catch((e: unknown) => stopStarted(e, aws))
      : undefined;
  const sandbox = await startSandbox({ accountToken: token, dnsResolver: dns?.address, dkimBits: 1024, dkimVerifyAfterCalls: o.dkimVerifyAfterCalls ?? 2 }).catch((e: unknown) =>
    stopStarted(e, dns, aws),
  );

  const secrets: Record<string, string> = {};
  for (const a of platform.postmarkAccounts) secrets[a.tokenRef] = token;
  for (const p of platform.partitions) {
    secrets[partitionPostmarkTokenRef(p)] = token;
    secrets[partitionKeyRegistryRef(p)] = generatedKeyRegistry();
  }
  // Corporate assets' server tokens (written by `corporate provision` in real life).
  for (const a of platform.corporate.assets) secrets[corporateServerTokenRef(platform, a)] = `sandbox-server-canary-${randomUUID()}`;
  for (const ref of o.omitSecrets ?? []) delete secrets[ref];
  const secretsFile = path.join(dir, "secrets.json");
  fs.writeFileSync(secretsFile, JSON.stringify(secrets, null, 2), { mode: 0o600 });

  const awsConfigFile = aws?.configFile ?? path.join(dir, "aws-config");
  const profiles = platform.infrastructures.filter((i) => i.awsProfile && !(o.omitProfiles ?? []).includes(i.awsProfile));
  if (!aws) fs.writeFileSync(awsConfigFile, profiles.map((i) => `[profile ${i.awsProfile}]\nregion = ${i.region}\nsso_account_id = ${i.accountId}\n`).join("\n"));

  const contextFile = path.join(dir, "cdktf.json");
  fs.writeFileSync(contextFile, `${JSON.stringify({ language: "typescript", app: "node dist/main.js", context: {} }, null, 2)}\n`);
  const rolloutFile = path.join(dir, "rollout", `${platform.name}.json`);
  const workDir = path.join(dir, "work");
  fs.mkdirSync(workDir, { recursive: true });

  const baseFlags = ["--platform", platform.name, "--secrets", `file:${secretsFile}`, "--postmark-url", sandbox.url, "--context-file", contextFile];
  const flags = [...baseFlags, "--rollout-file", rolloutFile, "--work-dir", workDir, ...(dns ? ["--resolver", dns.address, "--parent-server", dns.parentAddress, "--local-dns", dns.dir] : [])];
  return {
    dir,
    sandbox,
    dns,
    secretsFile,
    awsConfigFile,
    contextFile,
    rolloutFile,
    workDir,
    secretValues: [...new Set(Object.values(secrets))],
    baseFlags,
    flags,
    env: aws && local ? { ...aws.env, ARDA_MAIL_PLATFORM_FILE: local.platformFile, ARDA_MAIL_STATE_ROOT: path.join(dir, "state-root") } : { AWS_CONFIG_FILE: awsConfigFile },
    platform,
    ...(aws && local ? { localAws: { aws, stateRoot: path.join(dir, "state-root"), platformFile: local.platformFile, followDns: dns ? route53DnsHook(aws, platform, dns.dir) : undefined } } : {}),
    async close(): Promise<void> {
      await sandbox.close();
      await dns?.stop();
      await aws?.stop();
    },
  };
}
