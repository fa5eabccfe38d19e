/**
 * Secrets that rotate only when they changed. A write-only secret (`secret_string_wo`) is re-sent
 * by Terraform only when its `*_version` variable changes, and neither state nor plan holds the
 * value — so the deploy compares, in memory, 1Password's value with Secrets Manager's current one
 * and bumps the version only when they differ. The current version comes from the stack's state;
 * the value itself is never written anywhere (no file, no argv, no log: only "same" / "differs").
 */
import { timingSafeEqual } from "node:crypto";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { fromIni } from "@aws-sdk/credential-providers";
import { endpointFromEnvironment } from "./settings";

// The SDK warns on stderr about Node < 22 once per process: noise on every command's progress
// stream (Node 20.19+ is this project's supported floor). An explicit setting wins.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

/** One write-only secret of a synthesized stack, found from its `cdk.tf.json`. */
export interface WriteOnlySecretSlot {
  /** `aws_secretsmanager_secret_version.<name>`: its `secret_string_wo_version` in state is the current version. */
  readonly versionResource: string;
  /** The Secrets Manager secret name (a literal in the synthesized stack). */
  readonly secretName: string;
  /** Variable carrying the value (`TF_VAR_<valueVariable>`), e.g. `email_encryption_key_registry`. */
  readonly valueVariable: string;
  /** Variable carrying the version (`TF_VAR_<versionVariable>`), e.g. `email_encryption_key_registry_version`. */
  readonly versionVariable: string;
}

interface SynthesizedStack {
  resource?: Record<string, Record<string, Record<string, unknown>> | undefined>;
}

const VAR_REF = /^\$\{var\.([A-Za-z_][A-Za-z0-9_]*)\}$/;
const RESOURCE_ID_REF = /^\$\{aws_secretsmanager_secret\.([A-Za-z_][A-Za-z0-9_-]*)\.(?:id|arn)\}$/;

/**
 * Every `aws_secretsmanager_secret_version` written from a variable with a version variable.
 * Reading the synthesized stack (not a list kept here) keeps the construct the one place that says
 * which secrets exist and how their variables are named.
 */
export function writeOnlySecretSlots(stack: SynthesizedStack): WriteOnlySecretSlot[] {
  const versions = stack.resource?.aws_secretsmanager_secret_version ?? {};
  const secrets = stack.resource?.aws_secretsmanager_secret ?? {};
  const out: WriteOnlySecretSlot[] = [];
  for (const [name, cfg] of Object.entries(versions)) {
    const value = VAR_REF.exec(String(cfg.secret_string_wo ?? ""));
    const version = VAR_REF.exec(String(cfg.secret_string_wo_version ?? ""));
    if (!value || !version) continue;
    const secretRef = RESOURCE_ID_REF.exec(String(cfg.secret_id ?? ""));
    const secretName = secretRef ? secrets[secretRef[1]]?.name : undefined;
    if (typeof secretName !== "string" || !secretName) {
      throw new Error(`aws_secretsmanager_secret_version.${name}: its secret_id does not name an aws_secretsmanager_secret of the stack with a literal name`);
    }
    out.push({ versionResource: `aws_secretsmanager_secret_version.${name}`, secretName, valueVariable: value[1], versionVariable: version[1] });
  }
  return out;
}

/** The raw state as `terraform state pull` prints it (the parts read here). */
export interface RawState {
  resources?: Array<{ mode?: string; type?: string; name?: string; instances?: Array<{ attributes?: Record<string, unknown> }> }>;
}

/**
 * The version each slot's resource was last written with, from the raw state (`terraform state
 * pull`); undefined when the resource is not in state yet (first deploy, or a crash before it).
 * A non-integer in state is refused: it would silently restart the numbering.
 */
export function stateVersion(state: RawState | undefined, slot: WriteOnlySecretSlot): number | undefined {
  const [type, name] = slot.versionResource.split(".");
  const r = (state?.resources ?? []).find((x) => x.mode === "managed" && x.type === type && x.name === name);
  const raw = r?.instances?.[0]?.attributes?.secret_string_wo_version;
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== "number" || !Number.isSafeInteger(raw) || raw < 1) throw new Error(`${slot.versionResource}: secret_string_wo_version in state is ${JSON.stringify(raw)}, not a positive integer`);
  return raw;
}

/** Reads a secret's current (AWSCURRENT) value; undefined when the secret or its value does not exist. */
export interface SecretValueReader {
  current(secretName: string): Promise<string | undefined>;
  readonly description: string;
}

export interface SecretsManagerReaderOptions {
  /** The model's AWS profile of the account holding the secret. */
  readonly profile: string;
  readonly region: string;
  /** AWS_CONFIG_FILE (the profile's definition). */
  readonly configFile: string;
  /** For the endpoint (`AWS_ENDPOINT_URL`, the sandbox's local AWS) and the credentials file. */
  readonly env?: NodeJS.ProcessEnv;
}

/** Secrets Manager through the AWS SDK, with the model's profile; the endpoint comes from the environment. */
export function secretsManagerReader(o: SecretsManagerReaderOptions): SecretValueReader {
  const env = o.env ?? process.env;
  const endpoint = endpointFromEnvironment("SECRETS_MANAGER", env);
  const sts = endpointFromEnvironment("STS", env);
  const client = new SecretsManagerClient({
    region: o.region,
    endpoint,
    maxAttempts: 3,
    credentials: fromIni({
      profile: o.profile,
      configFilepath: o.configFile,
      ...(env.AWS_SHARED_CREDENTIALS_FILE ? { filepath: env.AWS_SHARED_CREDENTIALS_FILE } : {}),
      // Role assumption (the sandbox's profiles, and SSO-less real ones) goes to STS at the same kind of endpoint.
      clientConfig: { region: o.region, ...(sts ? { endpoint: sts } : {}) },
    }),
  });
  return {
    description: `Secrets Manager (profile ${o.profile}, ${o.region}${endpoint ? `, ${endpoint}` : ""})`,
    async current(secretName: string): Promise<string | undefined> {
      try {
        const r = await client.send(new GetSecretValueCommand({ SecretId: secretName }));
        return r.SecretString;
      } catch (e) {
        const name = (e as { name?: string }).name;
        // A secret being created (no value yet) or not created at all: nothing to compare.
        if (name === "ResourceNotFoundException") return undefined;
        // SDK errors name the secret and the call, never its value.
        throw new Error(`reading ${secretName} from Secrets Manager (profile ${o.profile}) failed: ${name ?? "error"}: ${(e as Error).message}`);
      }
    },
  };
}

/** Constant-time equality of two secret values (no early exit on the first differing byte). */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

export type VersionReason =
  /** Not in state yet: the resource is created with version 1 (or its default) and writes the value. */
  | "new"
  /** Secrets Manager's current value equals 1Password's: the version in state is kept, no plan change. */
  | "unchanged"
  /** They differ (a rotation in 1Password, or a hand edit in Secrets Manager): the version is bumped. */
  | "changed";

export interface VersionDecision {
  readonly slot: WriteOnlySecretSlot;
  readonly version: number;
  readonly reason: VersionReason;
}

/**
 * The `*_version` to pass for each slot. Always pass the version in state (a default of 1 would
 * plan a change after a rotation); one more when the values differ. A secret in state whose value
 * cannot be found in Secrets Manager counts as changed (restores 1Password's value).
 */
export async function decideVersions(
  slots: readonly WriteOnlySecretSlot[],
  state: RawState | undefined,
  desired: Readonly<Record<string, string>>,
  reader: SecretValueReader,
): Promise<VersionDecision[]> {
  const out: VersionDecision[] = [];
  for (const slot of slots) {
    const want = desired[slot.valueVariable];
    if (want === undefined) throw new Error(`no value for ${slot.valueVariable} (the secret of ${slot.secretName})`);
    const inState = stateVersion(state, slot);
    if (inState === undefined) {
      out.push({ slot, version: 1, reason: "new" });
      continue;
    }
    const current = await reader.current(slot.secretName);
    const same = current !== undefined && sameSecret(current, want);
    out.push(same ? { slot, version: inState, reason: "unchanged" } : { slot, version: inState + 1, reason: "changed" });
  }
  return out;
}

/** `TF_VAR_<x>_version` for each decision (numbers only: the values travel separately). */
export function versionVariables(decisions: readonly VersionDecision[]): Record<string, string> {
  return Object.fromEntries(decisions.map((d) => [`TF_VAR_${d.slot.versionVariable}`, String(d.version)]));
}

/** One line per secret for the deploy's progress: names and versions, never values. */
export function describeDecisions(decisions: readonly VersionDecision[]): string {
  if (decisions.length === 0) return "no write-only secrets in this stack";
  return decisions
    .map(
      (d) =>
        `${d.slot.secretName} ${d.reason === "changed" ? `differs from 1Password → version ${d.version}` : d.reason === "unchanged" ? `same as 1Password (version ${d.version})` : `new (version ${d.version})`}`,
    )
    .join("; ");
}

/** A secret as Secrets Manager should hold it: 1Password's value (memory only) and where it came from. */
export interface ExpectedSecret {
  readonly secretName: string;
  /** The 1Password reference, for messages. */
  readonly ref: string;
  readonly value: string;
}

export interface SecretValueDrift {
  readonly secretName: string;
  readonly ref: string;
  /** `differs`: Secrets Manager's current value is not 1Password's; `missing`: no such secret or no value. */
  readonly seen: "differs" | "missing";
}

/** `drift`: each secret whose Secrets Manager value is not 1Password's — compared in memory, never printed. */
export async function secretValueDrift(expected: readonly ExpectedSecret[], reader: SecretValueReader): Promise<SecretValueDrift[]> {
  const out: SecretValueDrift[] = [];
  for (const e of expected) {
    const current = await reader.current(e.secretName);
    if (current === undefined) out.push({ secretName: e.secretName, ref: e.ref, seen: "missing" });
    else if (!sameSecret(current, e.value)) out.push({ secretName: e.secretName, ref: e.ref, seen: "differs" });
  }
  return out;
}
