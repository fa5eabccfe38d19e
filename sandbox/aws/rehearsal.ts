/**
 * A rehearsal of the platform on the local AWS, for the tests that apply stacks as synthesized:
 * moto with the registrar's zone, the model pointed at that zone, the Postmark sandbox with each
 * sending domain registered (its records declared to the sandbox, which verifies them), generated
 * secrets (canaries), and the environment a real `terraform apply` of one stack runs with.
 * Sandbox-only; the deploy flow drives the same pieces for the demo.
 */
import { randomBytes, randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildApp } from "../../main";
import { setContextEntries } from "../../lib/context-store";
import { PostmarkClient } from "../../lib/postmark/client";
import { mailEntryFromDomain } from "../../lib/postmark/mail-entry";
import { terraformEnv } from "../../lib/terraform";
import { validatePlatform } from "../../platform/load";
import { corporateContextKey, partitionContextKey, placementOfEntry } from "../../platform/mail-context";
import type { Infrastructure, Partition, Platform } from "../../platform/model";
import { activePartitions, corporateDomain, partitionDomain } from "../../platform/names";
import { returnPathDomainFor } from "../../platform/placement";
import { startSandbox, type RunningSandbox } from "../postmark/server";
import { createRegistrarZone, startLocalAws, type LocalAws } from "./moto";

/** A registry in the shape `keys check` accepts: {uuid v4: base64(64 bytes)}. */
export function keyRegistry(): string {
  return JSON.stringify({ [randomUUID()]: randomBytes(64).toString("base64") });
}

/** The model with the registrar zone's id (moto draws zone ids; the model names the live one). */
export function withRootZone(platform: Platform, zoneId: string): Platform {
  const raw = JSON.parse(JSON.stringify(platform)) as { rootZone: { id: string } };
  raw.rootZone.id = zoneId;
  return validatePlatform(raw, { source: "local AWS rehearsal", env: {} });
}

export interface Rehearsal {
  readonly dir: string;
  readonly aws: LocalAws;
  readonly postmark: RunningSandbox;
  readonly platform: Platform;
  readonly zoneId: string;
  /** cdktf.json-shaped context file holding the registered entries. */
  readonly contextFile: string;
  /** Local-backend paths resolve here instead of the checkout. */
  readonly stateRoot: string;
  /** The Postmark account token (a canary). */
  readonly token: string;
  /** Every generated secret value, for canary checks. */
  readonly canaries: readonly string[];
  /** A fresh key registry, remembered as a canary. */
  newRegistry(): string;
  /** Create the partition's domain in the Postmark sandbox, write its context entry, declare its records. */
  register(p: Partition): Promise<void>;
  /** Register Corporate and every active partition (a whole-app synth, as `cdktf` runs it, needs each entry). */
  registerAll(): Promise<void>;
  /** The model as a file (`ARDA_MAIL_PLATFORM_FILE`), for a `cdktf` process. */
  readonly platformFile: string;
  /** Synthesize `stacks` (Terraform JSON only) into `outdir`; stack name → directory. */
  synth(stacks: readonly string[], outdir: string): Record<string, string>;
  /** The environment of `terraform` for a stack of `infra`, with the sensitive TF_VAR_* given. */
  env(infra: Infrastructure, tfVars?: Record<string, string | number>): NodeJS.ProcessEnv;
  close(): Promise<void>;
}

/** Credentials and profiles from the caller's shell must not leak into a rehearsal. */
const AMBIENT_AWS = ["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION"];

export async function startRehearsal(base: Platform, opts: { dir?: string } = {}): Promise<Rehearsal> {
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "arda-rehearsal-"));
  const aws = await startLocalAws(base, { dir: path.join(dir, "aws") });
  let postmark: RunningSandbox | undefined;
  try {
    const { zoneId } = await createRegistrarZone(aws, base);
    const platform = withRootZone(base, zoneId);
    const token = `rehearsal-token-canary-${randomUUID()}`;
    postmark = await startSandbox({ accountToken: token, dkimBits: 1024, dkimVerifyAfterCalls: 1 });
    const sandbox = postmark;
    const contextFile = path.join(dir, "cdktf.json");
    fs.writeFileSync(contextFile, `${JSON.stringify({ language: "typescript", app: "node dist/main.js", context: {} }, null, 2)}\n`);
    const stateRoot = path.join(dir, "repo");
    fs.mkdirSync(stateRoot, { recursive: true });
    const canaries = [token];
    const platformFile = path.join(dir, "platform.json");
    // The context file is given to a `cdktf` process as ARDA_MAIL_CONTEXT_FILE (the model names only files in the repository).
    fs.writeFileSync(platformFile, JSON.stringify(platform, null, 2));
    const registerDomain = async (domain: string, key: string): Promise<void> => {
      const client = new PostmarkClient({ accountToken: token, apiUrl: sandbox.url });
      const d = (await client.findDomainByName(domain)) ?? (await client.createDomain({ Name: domain, ReturnPathDomain: returnPathDomainFor(domain) }));
      const { entry } = mailEntryFromDomain(d);
      await setContextEntries(contextFile, { [key]: entry });
      const placed = placementOfEntry(domain, entry, platform.dmarcReportMailbox);
      await sandbox.admin.addDns({ type: "TXT", name: placed.dkim.name, value: entry.dkimPublicKey }, { type: "CNAME", name: placed.returnPath.name, value: placed.returnPath.target });
    };
    return {
      dir,
      aws,
      postmark: sandbox,
      platform,
      zoneId,
      contextFile,
      stateRoot,
      token,
      canaries,
      newRegistry(): string {
        const r = keyRegistry();
        canaries.push(r);
        return r;
      },
      platformFile,
      register: (p: Partition) => registerDomain(partitionDomain(platform, p), partitionContextKey(p)),
      async registerAll(): Promise<void> {
        await registerDomain(corporateDomain(platform), corporateContextKey(platform));
        for (const p of activePartitions(platform)) await registerDomain(partitionDomain(platform, p), partitionContextKey(p));
      },
      synth(stacks: readonly string[], outdir: string): Record<string, string> {
        buildApp({ platform, outdir, contextFile, stacks, stateRoot }).synth();
        return Object.fromEntries(stacks.map((s) => [s, path.join(outdir, "stacks", s)]));
      },
      env(infra: Infrastructure, tfVars: Record<string, string | number> = {}): NodeJS.ProcessEnv {
        const clean = { ...process.env };
        for (const k of AMBIENT_AWS) delete clean[k];
        const vars = Object.fromEntries(Object.entries(tfVars).map(([k, v]) => [`TF_VAR_${k}`, String(v)]));
        return terraformEnv({ ...aws.env, AWS_PROFILE: infra.awsProfile ?? "", POSTMARK_API_URL: sandbox.url, TF_VAR_postmark_account_token: token, ...vars }, clean);
      },
      async close(): Promise<void> {
        await sandbox.close();
        await aws.stop();
        if (!opts.dir) fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await postmark?.close();
    await aws.stop();
    throw e;
  }
}
