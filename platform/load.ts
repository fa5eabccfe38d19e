import * as fs from "node:fs";
import * as path from "node:path";
import { MAX_DOMAIN_NAME_LENGTH as MAX_DNS_NAME } from "./dns-name";
import type { CorporateAsset, Infrastructure, Partition, Platform, StateBackend } from "./model";
import { dkimHostFor, LONGEST_DKIM_SELECTOR } from "./placement";
import { issueMessages, platformSchema, SHAPES, show, type PlatformInput } from "./schema";

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

/** A file as messages name it: relative to the repository when inside it, else absolute. */
export function repoRelative(file: string): string {
  const rel = path.relative(REPO_ROOT, path.resolve(file));
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : path.resolve(file);
}

export function loadPlatform(name: string, options: LoadOptions = {}): Platform {
  // The name becomes a path (platform/<name>.platform.json): it must not lead out of platform/.
  if (!options.file && !SHAPES.platformName.test(name)) {
    throw new PlatformValidationError(name, [`platform: ${show(name)} is not a platform name (lower-case letters, digits and hyphens); known: ${PLATFORM_NAMES.join(", ")}`]);
  }
  const file = options.file ?? platformFile(name);
  if (!fs.existsSync(file)) {
    throw new PlatformValidationError(file, [`platform: unknown platform "${name}" (no ${path.relative(REPO_ROOT, file)}); known: ${PLATFORM_NAMES.join(", ")}`]);
  }
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new PlatformValidationError(file, [`(file): cannot be read (${code === "EISDIR" ? "it is a directory" : (code ?? (e as Error).message)})`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new PlatformValidationError(file, [`(file): not valid JSON: ${(e as Error).message}`]);
  }
  return validatePlatform(raw, { source: repoRelative(file), env: options.env ?? process.env });
}

export { isDnsLabel, isDomainName } from "./dns-name";

/**
 * Validate untrusted JSON into a Platform; collects every problem, then throws once. First the
 * structure (strict schema: fields, types, shapes), then — on a well-formed model — the rules
 * between fields.
 */
export function validatePlatform(raw: unknown, opts: { source: string; env?: NodeJS.ProcessEnv }): Platform {
  const env = opts.env ?? process.env;
  const withRoot = withRootAccountFromEnv(raw, env);
  const parsed = platformSchema.safeParse(withRoot);
  if (!parsed.success) throw new PlatformValidationError(opts.source, issueMessages(parsed.error.issues, withRoot));
  const input = parsed.data;
  const problems = [
    ...accountIdProblems(input, opts.source),
    ...referenceProblems(input),
    ...uniquenessProblems(input),
    ...zoneIdProblems(input),
    ...derivedNameProblems(input),
    ...repositoryPathProblems(input),
  ];
  if (problems.length > 0) throw new PlatformValidationError(opts.source, problems);
  return toPlatform(input);
}

/** ARDA_MAIL_ROOT_ACCOUNT_ID fills the platformRoot's account id where the model leaves it null. */
function withRootAccountFromEnv(raw: unknown, env: NodeJS.ProcessEnv): unknown {
  const fromEnv = env[ROOT_ACCOUNT_ENV];
  const o = raw as { infrastructures?: unknown } | null;
  if (!fromEnv || typeof o !== "object" || o === null || !Array.isArray(o.infrastructures)) return raw;
  const infrastructures = o.infrastructures.map((x: unknown) => {
    const i = x as Record<string, unknown> | null;
    return i && typeof i === "object" && i.kind === "platformRoot" && (i.accountId === null || i.accountId === undefined) ? { ...i, accountId: fromEnv } : x;
  });
  return { ...o, infrastructures };
}

type Input = PlatformInput;
const infraAt = (i: Input["infrastructures"][number]): string => `infrastructures.${i.name}.`;

function accountIdProblems(input: Input, source: string): string[] {
  return input.infrastructures.flatMap((x) => {
    const isRoot = x.kind === "platformRoot";
    if (x.accountId === null || x.accountId === undefined || x.accountId === "") {
      return [`${infraAt(x)}accountId: required — the ${isRoot ? "platformRoot " : ""}AWS account id is missing` + (isRoot ? ` (set it in ${source} or export ${ROOT_ACCOUNT_ENV})` : "")];
    }
    return SHAPES.accountId.test(x.accountId) ? [] : [`${infraAt(x)}accountId: ${show(x.accountId)} is malformed — an AWS account id is exactly 12 digits`];
  });
}

/** Every name that refers to another entry refers to one that exists, of the right kind. */
function referenceProblems(input: Input): string[] {
  const problems: string[] = [];
  const infraNames = input.infrastructures.map((i) => i.name);
  const accountNames = new Set(input.postmarkAccounts.map((a) => a.name));
  const roots = input.infrastructures.filter((i) => i.kind === "platformRoot");
  if (roots.length !== 1) problems.push(`infrastructures: exactly one platformRoot infrastructure is required (found ${roots.length})`);
  for (const [i, p] of input.partitions.entries()) {
    const where = `partitions.${SHAPES.dnsLabel.test(p.name) ? p.name : `[${i}]`}.`;
    if (input.reservedNames.includes(p.name) && p.status === "active") problems.push(`${where}name: ${show(p.name)} is a reserved name and cannot be an active partition`);
    const infra = input.infrastructures.find((n) => n.name === p.infrastructure);
    if (!infra) problems.push(`${where}infrastructure: unknown infrastructure ${show(p.infrastructure)} (known: ${infraNames.join(", ")})`);
    else if (infra.kind !== "application") problems.push(`${where}infrastructure: ${show(p.infrastructure)} is not an application infrastructure`);
    if (!accountNames.has(p.postmarkAccount)) problems.push(`${where}postmarkAccount: unknown Postmark account ${show(p.postmarkAccount)}`);
  }
  const c = input.corporate;
  if (!infraNames.includes(c.infrastructure)) problems.push(`corporate.infrastructure: unknown infrastructure ${show(c.infrastructure)}`);
  if (input.partitions.some((p) => p.name === c.label)) problems.push(`corporate.label: ${show(c.label)} is also a partition name`);
  if (!accountNames.has(c.postmarkAccount)) problems.push(`corporate.postmarkAccount: unknown Postmark account ${show(c.postmarkAccount)}`);
  return problems;
}

function uniquenessProblems(input: Input): string[] {
  return [
    ...duplicates(
      input.infrastructures.map((i) => i.name),
      "infrastructures",
      "name",
    ),
    ...duplicates(
      input.postmarkAccounts.map((a) => a.name),
      "postmarkAccounts",
      "name",
    ),
    ...duplicates(
      input.partitions.map((p) => p.name),
      "partitions",
      "name",
    ),
    ...duplicates(
      input.corporate.assets.map((a) => a.name),
      "corporate.assets",
      "name",
    ),
    ...duplicates(
      input.corporate.assets.map((a) => a.label),
      "corporate.assets",
      "label",
    ),
  ];
}

/**
 * A live hosted zone has one name: two partitions (or a partition and the mail root) recording the
 * same zone id would make two stacks adopt one zone.
 */
function zoneIdProblems(input: Input): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>([[input.rootZone.id, "rootZone.id"]]);
  for (const p of input.partitions) {
    if (p.zoneId === undefined) continue;
    const other = seen.get(p.zoneId);
    if (other) problems.push(`partitions.${p.name}.zoneId: ${show(p.zoneId)} is already ${other} — each partition adopts its own zone (${p.name}.${input.mailRootDomain})`);
    else seen.set(p.zoneId, `partitions.${p.name}.zoneId`);
  }
  return problems;
}

/**
 * The longest DNS names the model derives — a DKIM host `<selector>._domainkey.<label>.<root>` per
 * sending domain, each Corporate asset's `<asset>.<corporate>.<root>` — must fit DNS's 253 characters:
 * caught here, not by Route53 in the middle of an apply.
 */
function derivedNameProblems(input: Input): string[] {
  const root = input.mailRootDomain;
  const corporate = `${input.corporate.label}.${root}`;
  const names = [
    ...input.partitions.map((p) => ({ at: `partitions.${p.name}.name`, name: dkimHostFor(`${p.name}.${root}`, LONGEST_DKIM_SELECTOR) })),
    { at: "corporate.label", name: dkimHostFor(corporate, LONGEST_DKIM_SELECTOR) },
    ...input.corporate.assets.map((a, i) => ({ at: `corporate.assets[${i}].label`, name: `${a.label}.${corporate}` })),
  ];
  return names
    .filter((n) => n.name.length > MAX_DNS_NAME)
    .map((n) => `${n.at}: with mailRootDomain (${root.length} characters) it derives a name of ${n.name.length} characters (${n.name.slice(0, 40)}…); a DNS name is at most ${MAX_DNS_NAME}`);
}

/** Paths the model names resolve inside the repository (the shape already forbids `..` and `/…`). */
function repositoryPathProblems(input: Input): string[] {
  const paths = [
    { at: "contextFile", p: input.contextFile },
    ...input.infrastructures.flatMap((i) => (i.backend.kind === "local" ? [{ at: `${infraAt(i)}backend.directory`, p: i.backend.directory }] : [])),
  ];
  return paths.filter(({ p }) => !isInside(REPO_ROOT, path.resolve(REPO_ROOT, p))).map(({ at, p }) => `${at}: ${show(p)} is outside the repository`);
}

function isInside(dir: string, p: string): boolean {
  const rel = path.relative(dir, p);
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel);
}

function toPlatform(input: Input): Platform {
  const { corporate, instanceGroups } = input;
  return {
    ...input,
    infrastructures: input.infrastructures.map((i): Infrastructure => ({ ...i, accountId: i.accountId ?? "", backend: i.backend as StateBackend })),
    partitions: input.partitions as Partition[],
    corporate: { ...corporate, assets: corporate.assets as CorporateAsset[] },
    instanceGroups: { corporate: { dkimSource: instanceGroups.corporate.dkimSource }, runtimePlatform: { dkimSource: instanceGroups.runtimePlatform.dkimSource } },
  };
}

function duplicates(values: readonly string[], at: string, field: string): string[] {
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const v of values) {
    if (seen.has(v)) problems.push(`${at}: two entries with ${field} ${show(v)}`);
    seen.add(v);
  }
  return problems;
}
