import * as fs from "node:fs";
import * as path from "node:path";
import type {
  CorporateAsset,
  DkimSource,
  Infrastructure,
  Partition,
  PartitionRoleNames,
  Platform,
  PostmarkAccount,
  StateBackend,
} from "./model";

/** Repository root (this file lives in `platform/`, compiled into `dist/platform/`). */
export const REPO_ROOT = findRepoRoot(__dirname);

function findRepoRoot(start: string): string {
  let dir = start;
  while (!fs.existsSync(path.join(dir, "package.json")) || path.basename(dir) === "dist") {
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

export const PLATFORM_NAMES = ["sandbox", "arda"] as const;

/** Environment variable that supplies the platformRoot account id when the model leaves it null. */
export const ROOT_ACCOUNT_ENV = "ARDA_MAIL_ROOT_ACCOUNT_ID";

/** Synth and every command fail with this; `problems` each start with the field path. */
export class PlatformValidationError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid platform model (${source}):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "PlatformValidationError";
  }
}

export function platformFile(name: string): string {
  return path.join(REPO_ROOT, "platform", `${name}.platform.json`);
}

/** Which platform a process works on: `--platform`, else ARDA_MAIL_PLATFORM, else the sandbox. */
export function selectedPlatformName(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  return explicit ?? env.ARDA_MAIL_PLATFORM ?? "sandbox";
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Read the model from this file instead of `platform/<name>.platform.json`. */
  file?: string;
}

export function loadPlatform(name: string, options: LoadOptions = {}): Platform {
  const file = options.file ?? platformFile(name);
  if (!fs.existsSync(file)) {
    throw new PlatformValidationError(file, [
      `platform: unknown platform "${name}" (no ${path.relative(REPO_ROOT, file)}); known: ${PLATFORM_NAMES.join(", ")}`,
    ]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new PlatformValidationError(file, [`(file): not valid JSON: ${(e as Error).message}`]);
  }
  return validatePlatform(raw, { source: path.relative(REPO_ROOT, file), env: options.env ?? process.env });
}

const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const OP_REF = /^op:\/\/[^/\s]+\/[^/\s]+\/[^/\s]+$/;
const EMAIL = /^[^@\s]+@[a-z0-9.-]+\.[a-z]{2,}$/i;
const ZONE_ID = /^Z[0-9A-Z]{4,31}$/;

/** True when `label` is a single DNS-safe label (lower-case letters, digits, inner hyphens, ≤ 63). */
export function isDnsLabel(label: string): boolean {
  return DNS_LABEL.test(label);
}

export function isDomainName(name: string): boolean {
  return name.length <= 253 && name.split(".").length >= 2 && name.split(".").every(isDnsLabel);
}

/** Validate untrusted JSON into a Platform; collects every problem, then throws once. */
export function validatePlatform(raw: unknown, opts: { source: string; env?: NodeJS.ProcessEnv }): Platform {
  const problems: string[] = [];
  const env = opts.env ?? process.env;
  const o = asObject(raw, "(root)", problems);

  const str = (obj: Record<string, unknown>, key: string, at: string): string => {
    const v = obj[key];
    if (typeof v !== "string" || v.length === 0) {
      problems.push(`${at}${key}: required, a non-empty string`);
      return "";
    }
    return v;
  };

  const name = str(o, "name", "");
  const mailRootDomain = str(o, "mailRootDomain", "");
  if (mailRootDomain && !isDomainName(mailRootDomain)) {
    problems.push(`mailRootDomain: "${mailRootDomain}" is not a DNS-safe domain name`);
  }
  const dmarcReportMailbox = str(o, "dmarcReportMailbox", "");
  if (dmarcReportMailbox && !EMAIL.test(dmarcReportMailbox)) {
    problems.push(`dmarcReportMailbox: "${dmarcReportMailbox}" is not an e-mail address`);
  }
  const reservedNames = asArray(o.reservedNames, "reservedNames", problems).map((r, i) => {
    if (typeof r !== "string" || !isDnsLabel(r)) problems.push(`reservedNames[${i}]: "${String(r)}" is not a DNS-safe label`);
    return String(r);
  });

  const rz = asObject(o.rootZone, "rootZone", problems);
  const rootZone = { id: str(rz, "id", "rootZone."), comment: str(rz, "comment", "rootZone.") };
  if (rootZone.id && !ZONE_ID.test(rootZone.id)) problems.push(`rootZone.id: "${rootZone.id}" is not a Route53 hosted zone id`);
  const dnsRecordsRoleName = str(o, "dnsRecordsRoleName", "");

  const infrastructures: Infrastructure[] = asArray(o.infrastructures, "infrastructures", problems).map((entry, i) => {
    const at = `infrastructures[${i}].`;
    const x = asObject(entry, at.slice(0, -1), problems);
    const infraName = str(x, "name", at);
    const where = infraName ? `infrastructures.${infraName}.` : at;
    const kind = x.kind;
    if (kind !== "platformRoot" && kind !== "application") problems.push(`${where}kind: must be "platformRoot" or "application"`);
    let accountId = x.accountId;
    if ((accountId === null || accountId === undefined) && kind === "platformRoot" && env[ROOT_ACCOUNT_ENV]) {
      accountId = env[ROOT_ACCOUNT_ENV];
    }
    if (accountId === null || accountId === undefined || accountId === "") {
      problems.push(
        `${where}accountId: required — the ${kind === "platformRoot" ? "platformRoot " : ""}AWS account id is missing` +
          (kind === "platformRoot" ? ` (set it in ${opts.source} or export ${ROOT_ACCOUNT_ENV})` : ""),
      );
    } else if (typeof accountId !== "string" || !ACCOUNT_ID.test(accountId)) {
      problems.push(`${where}accountId: "${String(accountId)}" is malformed — an AWS account id is exactly 12 digits`);
    }
    const region = str(x, "region", where);
    if (region && !REGION.test(region)) problems.push(`${where}region: "${region}" is not an AWS region`);
    const awsProfile = x.awsProfile;
    if (awsProfile !== null && (typeof awsProfile !== "string" || awsProfile.length === 0)) {
      problems.push(`${where}awsProfile: must be a profile name or null`);
    }
    return {
      name: infraName,
      kind: kind as Infrastructure["kind"],
      accountId: String(accountId ?? ""),
      region,
      awsProfile: (awsProfile as string | null) ?? null,
      backend: validateBackend(x.backend, `${where}backend`, problems),
    };
  });
  checkUnique(infrastructures.map((i) => i.name), "infrastructures", "name", problems);
  const roots = infrastructures.filter((i) => i.kind === "platformRoot");
  if (roots.length !== 1) problems.push(`infrastructures: exactly one platformRoot infrastructure is required (found ${roots.length})`);
  const infraNames = new Set(infrastructures.map((i) => i.name));

  const postmarkAccounts: PostmarkAccount[] = asArray(o.postmarkAccounts, "postmarkAccounts", problems).map((entry, i) => {
    const x = asObject(entry, `postmarkAccounts[${i}]`, problems);
    const acctName = str(x, "name", `postmarkAccounts[${i}].`);
    const tokenRef = str(x, "tokenRef", `postmarkAccounts.${acctName || i}.`);
    if (tokenRef && !OP_REF.test(tokenRef)) problems.push(`postmarkAccounts.${acctName}.tokenRef: "${tokenRef}" is not an op://vault/item/field reference`);
    return { name: acctName, tokenRef };
  });
  checkUnique(postmarkAccounts.map((a) => a.name), "postmarkAccounts", "name", problems);
  const accountNames = new Set(postmarkAccounts.map((a) => a.name));

  const partitions: Partition[] = asArray(o.partitions, "partitions", problems).map((entry, i) => {
    const x = asObject(entry, `partitions[${i}]`, problems);
    const pName = str(x, "name", `partitions[${i}].`);
    const where = `partitions.${pName || `[${i}]`}.`;
    if (pName && !isDnsLabel(pName)) problems.push(`${where}name: "${pName}" is not a DNS-safe label (lower-case letters, digits, inner hyphens, at most 63)`);
    const status = x.status;
    if (status !== "active" && status !== "suspended") problems.push(`${where}status: must be "active" or "suspended"`);
    if (pName && reservedNames.includes(pName) && status === "active") {
      problems.push(`${where}name: "${pName}" is a reserved name and cannot be an active partition`);
    }
    const infrastructure = str(x, "infrastructure", where);
    if (infrastructure && !infraNames.has(infrastructure)) {
      problems.push(`${where}infrastructure: unknown infrastructure "${infrastructure}" (known: ${[...infraNames].join(", ")})`);
    } else if (infrastructure && infrastructures.find((n) => n.name === infrastructure)?.kind !== "application") {
      problems.push(`${where}infrastructure: "${infrastructure}" is not an application infrastructure`);
    }
    const postmarkAccount = str(x, "postmarkAccount", where);
    if (postmarkAccount && !accountNames.has(postmarkAccount)) problems.push(`${where}postmarkAccount: unknown Postmark account "${postmarkAccount}"`);
    const vault = str(x, "vault", where);
    const adoptedRoleNames = roleNames(x.adoptedRoleNames, `${where}adoptedRoleNames`, problems);
    return { name: pName, infrastructure, status: status as Partition["status"], postmarkAccount, vault, ...(adoptedRoleNames ? { adoptedRoleNames } : {}) };
  });
  checkUnique(partitions.map((p) => p.name), "partitions", "name", problems);

  const c = asObject(o.corporate, "corporate", problems);
  const corporateInfra = str(c, "infrastructure", "corporate.");
  if (corporateInfra && !infraNames.has(corporateInfra)) problems.push(`corporate.infrastructure: unknown infrastructure "${corporateInfra}"`);
  const corporateLabel = str(c, "label", "corporate.");
  if (corporateLabel && !isDnsLabel(corporateLabel)) problems.push(`corporate.label: "${corporateLabel}" is not a DNS-safe label`);
  if (corporateLabel && partitions.some((p) => p.name === corporateLabel)) problems.push(`corporate.label: "${corporateLabel}" is also a partition name`);
  const corporatePostmark = str(c, "postmarkAccount", "corporate.");
  if (corporatePostmark && !accountNames.has(corporatePostmark)) problems.push(`corporate.postmarkAccount: unknown Postmark account "${corporatePostmark}"`);
  const assets: CorporateAsset[] = asArray(c.assets, "corporate.assets", problems).map((entry, i) => {
    const x = asObject(entry, `corporate.assets[${i}]`, problems);
    const at = `corporate.assets[${i}].`;
    const asset = { name: str(x, "name", at), label: str(x, "label", at), serverTokenItem: str(x, "serverTokenItem", at), serverName: str(x, "serverName", at) };
    if (asset.label && !isDnsLabel(asset.label)) problems.push(`${at}label: "${asset.label}" is not a DNS-safe label`);
    return asset;
  });
  checkUnique(assets.map((a) => a.name), "corporate.assets", "name", problems);

  const ig = asObject(o.instanceGroups, "instanceGroups", problems);
  const dkimSource = (group: string): DkimSource => {
    const g = asObject(ig[group], `instanceGroups.${group}`, problems);
    if (g.dkimSource !== "context" && g.dkimSource !== "provider") {
      problems.push(`instanceGroups.${group}.dkimSource: must be "context" or "provider"`);
      return "context";
    }
    return g.dkimSource;
  };
  const instanceGroups = { corporate: { dkimSource: dkimSource("corporate") }, runtimePlatform: { dkimSource: dkimSource("runtimePlatform") } };
  const contextFile = str(o, "contextFile", "");

  if (problems.length > 0) throw new PlatformValidationError(opts.source, problems);
  return {
    name,
    mailRootDomain,
    dmarcReportMailbox,
    reservedNames,
    rootZone,
    dnsRecordsRoleName,
    infrastructures,
    postmarkAccounts,
    partitions,
    corporate: { infrastructure: corporateInfra, label: corporateLabel, postmarkAccount: corporatePostmark, vault: str(c, "vault", "corporate."), assets },
    instanceGroups,
    contextFile,
  };
}

function validateBackend(raw: unknown, at: string, problems: string[]): StateBackend {
  const b = asObject(raw, at, problems);
  const s = (key: string): string => {
    const v = b[key];
    if (typeof v !== "string" || v.length === 0) {
      problems.push(`${at}.${key}: required for a ${String(b.kind)} backend`);
      return "";
    }
    return v;
  };
  switch (b.kind) {
    case "local":
      return { kind: "local", directory: s("directory") };
    case "s3": {
      const bucket = s("bucket");
      if (bucket && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) problems.push(`${at}.bucket: "${bucket}" is not a valid S3 bucket name`);
      return { kind: "s3", bucket, keyPrefix: s("keyPrefix"), region: s("region") };
    }
    case "cloud":
      return {
        kind: "cloud",
        organization: s("organization"),
        workspacePrefix: s("workspacePrefix"),
        ...(typeof b.project === "string" ? { project: b.project } : {}),
      };
    default:
      problems.push(`${at}.kind: must be "local", "s3" or "cloud"`);
      return { kind: "local", directory: "" };
  }
}

const IAM_ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ROLE_KEYS = ["EmailDnsProvisioningRole", "EmailEncryptionKeyFallbackRole"] as const;

function roleNames(raw: unknown, at: string, problems: string[]): PartitionRoleNames | undefined {
  if (raw === undefined) return undefined;
  const o = asObject(raw, at, problems);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) {
    if (!(ROLE_KEYS as readonly string[]).includes(k)) problems.push(`${at}.${k}: unknown role (known: ${ROLE_KEYS.join(", ")})`);
    else if (typeof v !== "string" || !IAM_ROLE_NAME.test(v)) problems.push(`${at}.${k}: ${JSON.stringify(v)} is not an IAM role name (at most 64 of letters, digits and +=,.@_-)`);
    else out[k] = v;
  }
  return out;
}

function asObject(v: unknown, at: string, problems: string[]): Record<string, unknown> {
  if (typeof v === "object" && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  problems.push(`${at}: required, an object`);
  return {};
}

function asArray(v: unknown, at: string, problems: string[]): unknown[] {
  if (Array.isArray(v)) return v;
  problems.push(`${at}: required, a list`);
  return [];
}

function checkUnique(values: string[], at: string, field: string, problems: string[]): void {
  const seen = new Set<string>();
  for (const v of values) {
    if (v && seen.has(v)) problems.push(`${at}: two entries with ${field} "${v}"`);
    seen.add(v);
  }
}
