import { z } from "zod";
import { DNS_LABEL, isDomainName } from "./dns-name";
import { s3BucketNameProblem } from "./s3-bucket";

/**
 * The platform file's structure as a strict zod schema: every field, its type and its exact shape.
 * Unknown fields are refused (a misspelt `acountId` must not silently mean "no account id"), and every
 * value that later reaches Terraform, a file path or an AWS config file is limited to the characters
 * its kind of name allows. Cross-field rules (references, uniqueness, derived lengths, paths inside
 * the repository) are checked in `load.ts` once the structure is right.
 *
 * Messages read `<field path>: <what is wrong>`; the path is built by `formatIssuePath` below.
 */

export const SHAPES = {
  dnsLabel: DNS_LABEL,
  accountId: /^\d{12}$/,
  region: /^[a-z]{2}(-gov)?-[a-z]+-\d$/,
  opRef: /^op:\/\/[A-Za-z0-9][A-Za-z0-9 ._-]*\/[A-Za-z0-9][A-Za-z0-9 ._-]*\/[A-Za-z0-9][A-Za-z0-9 ._-]*$/,
  /**
   * A DMARC `rua` mailbox: an RFC 5322 dot-atom local part (which may hold `$`, `%`, `{`, `}`) without
   * the characters DMARC's URI list gives a meaning (`!` size suffix, `,` separator) — so the value
   * may legitimately contain `${`/`%{` and must be escaped, not refused, on its way into Terraform.
   */
  email: /^[A-Za-z0-9#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9#$%&'*+/=?^_`{|}~-]+)*@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/,
  zoneId: /^Z[0-9A-Z]{4,31}$/,
  /** `Root`, `Alpha001`: part of stack names, AWS names and context keys — no separators. */
  infrastructureName: /^[A-Za-z][A-Za-z0-9]{0,31}$/,
  /** A Postmark account's name in the model (`PostmarkProd`). */
  accountName: /^[A-Za-z][A-Za-z0-9_-]{0,63}$/,
  /** IAM role names: letters, digits and `+=,.@_-`, at most 64. */
  iamRoleName: /^[A-Za-z0-9+=,.@_-]{1,64}$/,
  /** An AWS CLI profile name (written into AWS config files: no spaces, brackets or newlines). */
  awsProfile: /^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$/,
  /** 1Password vault and item names, Postmark server names. */
  displayName: /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$/,
  /** The model's own name (`sandbox`, `arda`): also a file name `platform/<name>.platform.json`. */
  platformName: /^[a-z][a-z0-9-]{0,31}$/,
  /** A relative path inside the repository: plain segments, no `..`, no leading `/`. */
  repoPath: /^(?!.*(?:^|\/)\.\.?(?:\/|$))[A-Za-z0-9_][A-Za-z0-9._-]*(?:\/[A-Za-z0-9_][A-Za-z0-9._-]*)*$/,
  /** An S3 key prefix: path segments of safe characters. */
  keyPrefix: /^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/,
  /** Terraform Cloud organization / workspace-name characters. */
  tfcName: /^[A-Za-z0-9_-]{1,90}$/,
  tfcProject: /^[A-Za-z0-9_-][A-Za-z0-9 _-]{0,39}$/,
  /** A Route53 zone comment (mirrors the registrar's, free text): printable, no control characters, ≤ 256. */
  /** `[<host>/]<namespace>/postmark`, the shape Terraform accepts for our provider's source address. */
  postmarkProviderSource: /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::[0-9]{1,5})?\/)?[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?\/postmark$/,
  zoneComment: /^(?!.*TfToken\[)[^\p{Cc}]{0,256}$/u,
} as const;

/** A value in a message: JSON-quoted (newlines and quotes stay visible), long values shortened. */
export function show(v: unknown): string {
  const s = typeof v === "string" ? v : String(v);
  const quoted = JSON.stringify(s.length > 80 ? `${s.slice(0, 60)}…` : s);
  return s.length > 80 ? `${quoted} (${s.length} characters)` : quoted;
}

/** What a value is, for a message (`the number 5`, `a list`). */
export function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "an object";
  if (typeof v === "number") return `the number ${v}`;
  if (typeof v === "boolean") return `${v}`;
  return `a ${typeof v}`;
}

/** A required non-empty string with one shape; `what` completes "… is not <what>". */
export function str(shape?: RegExp, what?: string | ((v: string) => string), missing = "required, a non-empty string") {
  let s = z.string({ error: (i) => (i.input === undefined ? missing : `must be a string (got ${typeName(i.input)})`) }).min(1, { error: missing, abort: true });
  if (shape) {
    s = s.regex(shape, {
      error: (i) => (typeof what === "function" ? what(String(i.input)) : `${show(i.input)} is not ${what}`),
    });
  }
  return s;
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  const list = values.map((v) => `"${v}"`);
  const text = list.length === 2 ? `${list[0]} or ${list[1]}` : `${list.slice(0, -1).join(", ")} or ${list[list.length - 1]}`;
  return z.enum(values, { error: (i) => `must be ${text}${i.input === undefined ? "" : ` (got ${i.input === null || typeof i.input !== "string" ? typeName(i.input) : show(i.input)})`}` });
}

const list = <T extends z.ZodType>(item: T) => z.array(item, { error: "required, a list" });
const object = <T extends z.ZodRawShape>(shape: T) => z.strictObject(shape, { error: "required, an object" });

const accountId = z
  .union([z.string(), z.null()], {
    error: (i) => `must be a string of exactly 12 digits (got ${typeName(i.input)}${typeof i.input === "number" ? `; quote it, e.g. "${String(i.input).padStart(12, "0")}"` : ""})`,
  })
  .optional();

const dnsLabel = (what = "a DNS-safe label") => str(SHAPES.dnsLabel, what);
const LABEL_RULE = "a DNS-safe label (lower-case letters, digits, inner hyphens, at most 63)";
const NOT_REPO_PATH = 'is not a relative path inside the repository (plain segments of letters, digits, "._-"; no "..", no leading "/")';
const repoPath = () => str(SHAPES.repoPath, (v) => `${show(v)} ${NOT_REPO_PATH}`);

const backendRequired = (kind: string) => str(undefined, undefined, `required for a ${kind} backend`);
const backend = z.discriminatedUnion(
  "kind",
  [
    object({
      kind: z.literal("local"),
      directory: backendRequired("local").regex(SHAPES.repoPath, { error: (i) => `${show(i.input)} ${NOT_REPO_PATH}` }),
    }),
    object({
      kind: z.literal("s3"),
      // S3's naming rules, shared with `backend bootstrap --bucket` (platform/s3-bucket.ts).
      bucket: backendRequired("s3").superRefine((v, ctx) => {
        const problem = s3BucketNameProblem(v);
        if (problem) ctx.addIssue({ code: "custom", message: `${show(v)} is not a valid S3 bucket name: it ${problem}` });
      }),
      keyPrefix: backendRequired("s3").regex(SHAPES.keyPrefix, { error: (i) => `${show(i.input)} is not an S3 key prefix (path segments of letters, digits, "._-")` }),
      region: backendRequired("s3").regex(SHAPES.region, { error: (i) => `${show(i.input)} is not an AWS region` }),
    }),
    object({
      kind: z.literal("cloud"),
      organization: backendRequired("cloud").regex(SHAPES.tfcName, { error: (i) => `${show(i.input)} is not a Terraform Cloud organization name` }),
      workspacePrefix: backendRequired("cloud").regex(SHAPES.tfcName, { error: (i) => `${show(i.input)} is not a Terraform Cloud workspace-name prefix` }),
      project: str(SHAPES.tfcProject, "a Terraform Cloud project name").optional(),
    }),
  ],
  { error: (i) => (i.code === "invalid_union" ? `must be "local", "s3" or "cloud"` : "required, an object") },
);

export const infrastructureSchema = object({
  name: str(SHAPES.infrastructureName, "an infrastructure name (a letter, then letters and digits, at most 32)"),
  kind: oneOf(["platformRoot", "application"]),
  accountId,
  region: str(SHAPES.region, "an AWS region"),
  awsProfile: z.union([str(SHAPES.awsProfile, 'an AWS profile name (letters, digits, "_.+-", at most 64)'), z.null()], {
    error: (i) => (typeof i.input === "string" ? `${show(i.input)} is not an AWS profile name (letters, digits, "_.+-", at most 64)` : "must be a profile name or null"),
  }),
  backend,
});

const ZONE_ID_RULE = 'a Route53 hosted zone id ("Z", then 4 to 31 upper-case letters and digits)';
const IAM_ROLE_RULE = 'an IAM role name (letters, digits, "+=,.@_-", at most 64)';

export const platformSchema = object({
  name: str(SHAPES.platformName, "a platform name (lower-case letters, digits and hyphens, at most 32)"),
  mailRootDomain: str().refine(isDomainName, { error: (i) => `${show(i.input)} is not a DNS-safe domain name` }),
  dmarcReportMailbox: str(SHAPES.email, "an e-mail address"),
  reservedNames: list(dnsLabel()),
  rootZone: object({
    id: str(SHAPES.zoneId, ZONE_ID_RULE),
    comment: str(SHAPES.zoneComment, (v) => `${show(v)} is not a Route53 zone comment (at most 256 characters, no control characters, no "TfToken[")`),
  }),
  dnsRecordsRoleName: str(SHAPES.iamRoleName, IAM_ROLE_RULE),
  infrastructures: list(infrastructureSchema),
  postmarkAccounts: list(
    object({
      name: str(SHAPES.accountName, 'a Postmark account name (a letter, then letters, digits, "_-")'),
      tokenRef: str(SHAPES.opRef, "an op://vault/item/field reference"),
    }),
  ),
  partitions: list(
    object({
      name: str(SHAPES.dnsLabel, LABEL_RULE),
      infrastructure: str(),
      status: oneOf(["active", "suspended"]),
      postmarkAccount: str(),
      vault: str(SHAPES.displayName, "a 1Password vault name"),
      /** The live hosted zone of `<name>.<mailRootDomain>` the partition stack adopts with an `import` block. */
      zoneId: str(SHAPES.zoneId, ZONE_ID_RULE).optional(),
      /** The live roles a takeover adopts by name (CloudFormation named them), so their ARNs survive. */
      adoptedRoleNames: object({
        EmailDnsProvisioningRole: str(SHAPES.iamRoleName, IAM_ROLE_RULE).optional(),
        EmailEncryptionKeyFallbackRole: str(SHAPES.iamRoleName, IAM_ROLE_RULE).optional(),
      }).optional(),
    }),
  ),
  corporate: object({
    infrastructure: str(),
    label: dnsLabel(),
    postmarkAccount: str(),
    vault: str(SHAPES.displayName, "a 1Password vault name"),
    assets: list(
      object({
        name: dnsLabel("an asset name (lower-case letters, digits, inner hyphens)"),
        label: dnsLabel(),
        serverTokenItem: str(SHAPES.displayName, "a 1Password item name"),
        serverName: str(SHAPES.displayName, "a Postmark server name"),
      }),
    ),
  }),
  instanceGroups: object({
    corporate: object({ dkimSource: oneOf(["context", "provider"]) }),
    runtimePlatform: object({ dkimSource: oneOf(["context", "provider"]) }),
  }),
  contextFile: repoPath(),
  postmarkProviderSource: str(
    SHAPES.postmarkProviderSource,
    'a provider source address "[<host>/]<namespace>/postmark" (e.g. "app.terraform.io/arda/postmark")',
    "must not be empty (leave it out to use the local build, arda-cards/postmark)",
  ).optional(),
});

export type PlatformInput = z.infer<typeof platformSchema>;

/** Lists whose entries are named in messages by their name (`infrastructures.Alpha001`) when it is readable. */
const NAMED_LISTS = new Set(["infrastructures", "partitions", "postmarkAccounts"]);
const READABLE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** `["infrastructures", 1, "accountId"]` → `infrastructures.Alpha001.accountId` (or `infrastructures[1].accountId`). */
export function formatIssuePath(path: readonly PropertyKey[], raw: unknown): string {
  let out = "";
  let node: unknown = raw;
  let parent = "";
  for (const key of path) {
    const child = node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[key] : undefined;
    if (typeof key === "number") {
      const name = (child as { name?: unknown } | undefined)?.name;
      out += NAMED_LISTS.has(parent) && typeof name === "string" && READABLE_NAME.test(name) ? `.${name}` : `[${key}]`;
    } else {
      out += `${out ? "." : ""}${String(key)}`;
      parent = String(key);
    }
    node = child;
  }
  return out || "(root)";
}

/**
 * Every zod issue as `<path>: <message>`; an unknown field is named with the closest known one.
 * `root` is the schema `raw` was checked against (the platform file's unless said otherwise).
 */
export function issueMessages(issues: readonly z.core.$ZodIssue[], raw: unknown, root: z.ZodType = platformSchema): string[] {
  return issues.flatMap((i) => {
    const at = formatIssuePath(i.path, raw);
    if (i.code === "unrecognized_keys") {
      const known = knownKeysAt(i.path, raw, root);
      return i.keys.map((k) => {
        const near = closest(k, known);
        return `${at === "(root)" ? "" : `${at}.`}${k}: unknown field${near ? ` (did you mean "${near}"?)` : ""}${known.length ? `; known: ${known.join(", ")}` : ""}`;
      });
    }
    return [`${at}: ${i.message}`];
  });
}

/** The fields the schema allows at `path` (walks the schema alongside the raw value). */
function knownKeysAt(path: readonly PropertyKey[], raw: unknown, root: z.ZodType): string[] {
  let schema: z.ZodType = root;
  let node: unknown = raw;
  for (const key of path) {
    schema = unwrap(schema, node);
    if (schema instanceof z.ZodArray) schema = schema.element as z.ZodType;
    else if (schema instanceof z.ZodObject) schema = (schema.shape as Record<string, z.ZodType>)[String(key)];
    node = node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[key] : undefined;
    if (!schema) return [];
  }
  schema = unwrap(schema, node);
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function unwrap(schema: z.ZodType, node: unknown): z.ZodType {
  if (schema instanceof z.ZodOptional) return unwrap(schema.unwrap() as z.ZodType, node);
  if (schema instanceof z.ZodDiscriminatedUnion) {
    const kind = (node as { kind?: unknown } | undefined)?.kind;
    const match = (schema.options as z.ZodObject[]).find((o) => (o.shape.kind as z.ZodLiteral).values.has(kind as never));
    return match ?? schema;
  }
  return schema;
}

/** The known field within edit distance 2 of `key`, if any (a typo, not a different word). */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: { k: string; d: number } | undefined;
  for (const k of known) {
    const d = distance(key.toLowerCase(), k.toLowerCase());
    if (d <= 2 && (!best || d < best.d)) best = { k, d };
  }
  return best?.k;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
