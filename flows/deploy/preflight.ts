/**
 * Pre-flight of `arda-mail deploy`: everything that must hold before anything changes, each
 * failure naming what to fix. Secrets are resolved here once and handed on in memory only.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../../platform/load";
import { partitionContextKey, readContext, registerCommandFor, requireMailEntry, type MailContextEntry } from "../../platform/mail-context";
import type { Infrastructure, Partition, Platform } from "../../platform/model";
import { infrastructure, partitionDomain, partitionKeyRegistryRef, partitionPostmarkTokenRef } from "../../platform/names";
import { parseRegistry, RegistryError } from "../../lib/keys";
import type { SecretStore } from "../../lib/secrets/store";
import type { DomainDetails } from "../../lib/postmark/types";
import { readAwsProfiles } from "../../lib/aws-config";

export interface PreflightCheck {
  readonly check: string;
  readonly ok: boolean;
  readonly detail: string;
  /** What to do when it failed. */
  readonly fix?: string;
}

export interface PreflightSecrets {
  readonly postmarkAccountToken: string;
  readonly keyRegistry: string;
}

export interface PreflightInput {
  readonly platform: Platform;
  readonly partition: Partition;
  readonly awsConfigFile: string;
  readonly secrets: SecretStore;
  readonly contextFile: string;
  /** Reads a Postmark domain with the partition's account token (stale-context check). */
  readonly getDomain: (token: string, id: number) => Promise<DomainDetails>;
  readonly offline: boolean;
}

export interface PreflightResult {
  readonly ok: boolean;
  readonly checks: PreflightCheck[];
  readonly secrets?: PreflightSecrets;
}

function backendCheck(infra: Infrastructure, offline: boolean): PreflightCheck {
  const b = infra.backend;
  if (b.kind === "local") {
    const dir = path.resolve(REPO_ROOT, b.directory);
    try {
      fs.mkdirSync(dir, { recursive: true });
      fs.accessSync(dir, fs.constants.W_OK);
      return { check: "backend", ok: true, detail: `local state in ${path.relative(REPO_ROOT, dir)}${offline ? " (offline plan: a scratch local state is used)" : ""}` };
    } catch (e) {
      return {
        check: "backend",
        ok: false,
        detail: `local state directory ${dir} is not writable: ${(e as Error).message}`,
        fix: `fix the permissions of ${dir} or change infrastructures.${infra.name}.backend`,
      };
    }
  }
  if (offline) return { check: "backend", ok: true, detail: `${b.kind} backend not contacted (offline plan: local override state)` };
  // Reachability of S3 / Terraform Cloud is proven by `terraform init`, the first thing the plan step runs.
  return { check: "backend", ok: true, detail: `${b.kind} backend: checked by terraform init before any change` };
}

export async function preflight(i: PreflightInput): Promise<PreflightResult> {
  const checks: PreflightCheck[] = [];
  const infra = infrastructure(i.platform, i.partition.infrastructure);
  const modelFile = `platform/${i.platform.name}.platform.json`;

  // 1. AWS profile: from the model, present in the AWS config file — never derived from the name.
  const profiles = readAwsProfiles(i.awsConfigFile);
  if (!infra.awsProfile) {
    checks.push({
      check: "aws-profile",
      ok: false,
      detail: `infrastructures.${infra.name}.awsProfile is not set in the model`,
      fix: `set infrastructures.${infra.name}.awsProfile in ${modelFile} (the profile name operators use; it is not derived from "${infra.name}")`,
    });
  } else if (!profiles.has(infra.awsProfile)) {
    checks.push({
      check: "aws-profile",
      ok: false,
      detail: `AWS profile "${infra.awsProfile}" (infrastructures.${infra.name}.awsProfile) is not in ${i.awsConfigFile}${profiles.size ? ` (profiles there: ${[...profiles.keys()].join(", ")})` : " (no profiles there)"}`,
      fix: `add [profile ${infra.awsProfile}] to ${i.awsConfigFile} (aws configure sso --profile ${infra.awsProfile}), or point AWS_CONFIG_FILE at the right file`,
    });
  } else {
    checks.push({ check: "aws-profile", ok: true, detail: `profile "${infra.awsProfile}" found in ${i.awsConfigFile}` });
  }

  // 2. Region.
  const region = infra.region || profiles.get(infra.awsProfile ?? "")?.settings.region;
  checks.push(
    region ? { check: "region", ok: true, detail: region } : { check: "region", ok: false, detail: `no region for ${infra.name}`, fix: `set infrastructures.${infra.name}.region in ${modelFile}` },
  );

  // 3. Secrets (values stay in memory; only references are printed).
  const refs = { postmarkAccountToken: partitionPostmarkTokenRef(i.partition), keyRegistry: partitionKeyRegistryRef(i.partition) };
  const values: Partial<Record<keyof PreflightSecrets, string>> = {};
  for (const [k, ref] of Object.entries(refs) as Array<[keyof PreflightSecrets, string]>) {
    try {
      const value = await i.secrets.read(ref);
      if (k === "keyRegistry") parseRegistry(value); // the rule `keys check` applies: what it accepts deploys, what it refuses stops here
      values[k] = value;
      checks.push({ check: `secret:${k}`, ok: true, detail: `${ref} resolves in ${i.secrets.description}` });
    } catch (e) {
      if (e instanceof RegistryError) {
        checks.push({
          check: `secret:${k}`,
          ok: false,
          detail: `${ref}: ${e.message}`,
          fix: `repair the registry at ${ref} (append-only), then check it with \`arda-mail keys check ${i.partition.infrastructure} ${i.partition.name}\``,
        });
        continue;
      }
      checks.push({
        check: `secret:${k}`,
        ok: false,
        detail: `${ref} does not resolve in ${i.secrets.description}: ${(e as Error).message}`,
        fix: `store it at ${ref} (1Password vault ${i.partition.vault}), or check --secrets / OP_SERVICE_ACCOUNT_TOKEN`,
      });
    }
  }

  // 4. Context: absent is fine (the register step writes it); present must match Postmark.
  const key = partitionContextKey(i.partition);
  const context = readContext(i.contextFile);
  // A present entry is checked for its exact shape before any of it is used (the file is hand-editable).
  let raw: MailContextEntry | undefined;
  let invalid: string | undefined;
  if (context[key] !== undefined && context[key] !== null) {
    try {
      raw = requireMailEntry(context, key, partitionDomain(i.platform, i.partition), i.contextFile);
    } catch (e) {
      invalid = (e as Error).message;
    }
  }
  if (invalid) {
    checks.push({ check: "context", ok: false, detail: invalid, fix: `fix the entry, or run \`${registerCommandFor(key)} --update\` and commit the context file` });
  } else if (!raw) {
    checks.push({ check: "context", ok: true, detail: `${key} not in ${path.relative(REPO_ROOT, i.contextFile) || i.contextFile} yet: the register step writes it` });
  } else if (!values.postmarkAccountToken) {
    checks.push({ check: "context", ok: false, detail: `${key} present, but cannot compare it with Postmark without the account token`, fix: "resolve the secret above first" });
  } else {
    try {
      const d = await i.getDomain(values.postmarkAccountToken, raw.domainId);
      const keys = [
        { host: d.DKIMHost, value: d.DKIMTextValue },
        { host: d.DKIMPendingHost, value: d.DKIMPendingTextValue },
      ];
      const dkimOk = keys.some((k) => k.host === raw.dkimHost && k.value === raw.dkimPublicKey);
      const stale: string[] = [];
      if (!dkimOk) stale.push(`DKIM ${raw.dkimHost} is neither Postmark's current (${d.DKIMHost || "none"}) nor pending (${d.DKIMPendingHost || "none"}) key`);
      if (d.ReturnPathDomain !== raw.returnPathDomain) stale.push(`Return-Path: context ${raw.returnPathDomain}, Postmark ${d.ReturnPathDomain || "none"}`);
      checks.push(
        stale.length
          ? {
              check: "context",
              ok: false,
              detail: `${key} is stale vs Postmark domain ${raw.domainId}: ${stale.join("; ")}`,
              fix: `run \`${registerCommandFor(key)} --update\` and commit the context file`,
            }
          : { check: "context", ok: true, detail: `${key} matches Postmark domain ${raw.domainId} (${d.Name})` },
      );
    } catch (e) {
      checks.push({
        check: "context",
        ok: false,
        detail: `${key} names Postmark domain ${raw.domainId}, which cannot be read: ${(e as Error).message}`,
        fix: `run \`${registerCommandFor(key)} --update\``,
      });
    }
  }

  checks.push(backendCheck(infra, i.offline));
  const ok = checks.every((c) => c.ok);
  return { ok, checks, secrets: values.postmarkAccountToken && values.keyRegistry ? (values as PreflightSecrets) : undefined };
}
