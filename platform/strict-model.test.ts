/**
 * Issue 10 items 1–2 at the loader: the platform file is a strict schema and every value that can
 * reach Terraform, a file path or an AWS config file has its exact shape; each case's message is
 * asserted in full, naming the field.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadPlatform, platformFile, PlatformValidationError, validatePlatform } from "./load";
import { ContextFileError, readContext } from "./context-file";
import { partitionMailEntry } from "./mail-context";
import { findPartition } from "./names";

const sandboxRaw = (): Record<string, any> => JSON.parse(fs.readFileSync(platformFile("sandbox"), "utf8"));

function problemsOf(edit: (raw: Record<string, any>) => void): string[] {
  const raw = sandboxRaw();
  edit(raw);
  try {
    validatePlatform(raw, { source: "test.platform.json", env: {} });
  } catch (e) {
    expect(e).toBeInstanceOf(PlatformValidationError);
    return [...(e as PlatformValidationError).problems];
  }
  throw new Error("expected the model to be rejected");
}

/** A 247-character root: four labels of 63, 63, 63 and 55 characters. */
export const ROOT_247 = ["a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(55)].join(".");

describe("the platform file is a strict schema (issue 10 item 2)", () => {
  it.each([
    [
      "a misspelt field (acountId)",
      (r: any) => {
        r.infrastructures[1].acountId = r.infrastructures[1].accountId;
        delete r.infrastructures[1].accountId;
      },
      ['infrastructures.Alpha001.acountId: unknown field (did you mean "accountId"?); known: name, kind, accountId, region, awsProfile, backend'],
    ],
    [
      "an unknown top-level field",
      (r: any) => (r.mailRoot = "x"),
      [
        "mailRoot: unknown field; known: name, mailRootDomain, dmarcReportMailbox, reservedNames, rootZone, dnsRecordsRoleName, infrastructures, postmarkAccounts, partitions, corporate, instanceGroups, contextFile, postmarkProviderSource",
      ],
    ],
    [
      "an accountId given as a number",
      (r: any) => (r.infrastructures[1].accountId = 9765408297),
      ['infrastructures.Alpha001.accountId: must be a string of exactly 12 digits (got the number 9765408297; quote it, e.g. "009765408297")'],
    ],
    ["a status given as a number", (r: any) => (r.partitions[0].status = 3), ['partitions.dev.status: must be "active" or "suspended" (got the number 3)']],
    ["partitions given as an object", (r: any) => (r.partitions = {}), ["partitions: required, a list"]],
    ["an unknown backend kind", (r: any) => (r.infrastructures[0].backend = { kind: "s4" }), ['infrastructures.Root.backend.kind: must be "local", "s3" or "cloud"']],
  ])("%s", (_name, edit, expected) => {
    expect(problemsOf(edit)).toEqual(expected);
  });

  it.each([
    ["infrastructures[2].name", (r: any) => (r.infrastructures[2].name = 'a"b'), 'infrastructures[2].name: "a\\"b" is not an infrastructure name (a letter, then letters and digits, at most 32)'],
    [
      "infrastructures[2].name (${…})",
      (r: any) => (r.infrastructures[2].name = "${path.cwd}"),
      'infrastructures[2].name: "${path.cwd}" is not an infrastructure name (a letter, then letters and digits, at most 32)',
    ],
    ["dnsRecordsRoleName", (r: any) => (r.dnsRecordsRoleName = "${path.cwd}"), 'dnsRecordsRoleName: "${path.cwd}" is not an IAM role name (letters, digits, "+=,.@_-", at most 64)'],
    [
      "awsProfile",
      (r: any) => (r.infrastructures[1].awsProfile = "x\n[profile evil]"),
      'infrastructures.Alpha001.awsProfile: "x\\n[profile evil]" is not an AWS profile name (letters, digits, "_.+-", at most 64)',
    ],
    ["name", (r: any) => (r.name = "../../etc"), 'name: "../../etc" is not a platform name (lower-case letters, digits and hyphens, at most 32)'],
    ["dmarcReportMailbox", (r: any) => (r.dmarcReportMailbox = "a,b@x.com"), 'dmarcReportMailbox: "a,b@x.com" is not an e-mail address'],
    [
      "rootZone.comment with a CDKTF token marker",
      (r: any) => (r.rootZone.comment = "${TfToken[TOKEN.1]}"),
      'rootZone.comment: "${TfToken[TOKEN.1]}" is not a Route53 zone comment (at most 256 characters, no control characters, no "TfToken[")',
    ],
    [
      "rootZone.comment with a newline",
      (r: any) => (r.rootZone.comment = "a\nb"),
      'rootZone.comment: "a\\nb" is not a Route53 zone comment (at most 256 characters, no control characters, no "TfToken[")',
    ],
    ["vault", (r: any) => (r.partitions[0].vault = "Dev/OAM"), 'partitions.dev.vault: "Dev/OAM" is not a 1Password vault name'],
    ["asset serverName", (r: any) => (r.corporate.assets[0].serverName = "a${b}"), 'corporate.assets[0].serverName: "a${b}" is not a Postmark server name'],
  ])("names are limited to safe characters: %s", (_name, edit, expected) => {
    expect(problemsOf(edit)).toEqual([expected]);
  });

  const NOT_INSIDE = 'is not a relative path inside the repository (plain segments of letters, digits, "._-"; no "..", no leading "/")';
  it.each([
    ["contextFile ..", (r: any) => (r.contextFile = "../outside.json"), `contextFile: "../outside.json" ${NOT_INSIDE}`],
    ["contextFile absolute", (r: any) => (r.contextFile = "/etc/passwd"), `contextFile: "/etc/passwd" ${NOT_INSIDE}`],
    ["a local backend's directory", (r: any) => (r.infrastructures[0].backend.directory = "state/../../x"), `infrastructures.Root.backend.directory: "state/../../x" ${NOT_INSIDE}`],
  ])("every path stays inside the repository: %s", (_name, edit, expected) => {
    expect(problemsOf(edit)).toEqual([expected]);
  });

  it("a platform name that would lead out of platform/ is refused; a directory is not called invalid JSON", () => {
    expect(() => loadPlatform("../../tmp/evil", { env: {} })).toThrow('platform: "../../tmp/evil" is not a platform name (lower-case letters, digits and hyphens); known: sandbox, arda');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "h10a-dir-"));
    try {
      expect(() => loadPlatform("sandbox", { env: {}, file: dir })).toThrow("(file): cannot be read (it is a directory)");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a 247-character root whose derived names pass 253 characters fails at load, naming each source", () => {
    const problems = problemsOf((r) => (r.mailRootDomain = ROOT_247));
    expect(problems).toHaveLength(7);
    expect(problems[0]).toBe("partitions.dev.name: with mailRootDomain (247 characters) it derives a name of 279 characters (20260526234343pm._domainkey.dev.aaaaaaaa…); a DNS name is at most 253");
    expect(problems[6]).toBe(
      "corporate.assets[0].label: with mailRootDomain (247 characters) it derives a name of 263 characters (freekanban.arda.aaaaaaaaaaaaaaaaaaaaaaaa…); a DNS name is at most 253",
    );
  });

  it("duplicate corporate asset labels are rejected", () => {
    expect(problemsOf((r) => r.corporate.assets.push({ ...r.corporate.assets[0], name: "other" }))).toEqual(['corporate.assets: two entries with label "freekanban"']);
  });

  it("free text that may hold ${ and %{ is accepted (it is escaped on its way into Terraform, not refused)", () => {
    const raw = sandboxRaw();
    raw.dmarcReportMailbox = "dmarc+${path.cwd}%{endif}@arda.cards";
    raw.rootZone.comment = 'HostedZone ${file("/etc/hostname")} %{if true}';
    const p = validatePlatform(raw, { source: "t", env: {} });
    expect([p.dmarcReportMailbox, p.rootZone.comment]).toEqual([raw.dmarcReportMailbox, raw.rootZone.comment]);
  });
});

describe("context entries have Postmark's shapes (issue 10 item 1)", () => {
  const p = validatePlatform(sandboxRaw(), { source: "t", env: {} });
  const dev = findPartition(p, "Alpha002", "dev");
  const file = path.join(__dirname, "sandbox.cdktf.json");
  const entry = readContext(file)["partitionMail:Alpha002:dev"] as Record<string, unknown>;
  const problems = (patch: Record<string, unknown>): string[] => {
    try {
      partitionMailEntry(p, dev, { "partitionMail:Alpha002:dev": { ...entry, ...patch } }, file);
    } catch (e) {
      const [head, ...rest] = (e as Error).message.split("\n");
      expect(head).toBe('Invalid CDKTF context entry "partitionMail:Alpha002:dev" in platform/sandbox.cdktf.json (re-run `arda-mail register Alpha002 dev`):');
      return rest.map((l) => l.replace(/^ {2}- /, ""));
    }
    throw new Error("expected the entry to be refused");
  };
  const K = "partitionMail:Alpha002:dev";

  it.each([
    ['${file("/etc/hostname")}', `${K}.returnPathTarget: "\${file(\\"/etc/hostname\\")}" is not Postmark's Return-Path target (pm.mtasv.net)`],
    ["${path.cwd}", `${K}.returnPathTarget: "\${path.cwd}" is not Postmark's Return-Path target (pm.mtasv.net)`],
    ['a"b', `${K}.returnPathTarget: "a\\"b" is not Postmark's Return-Path target (pm.mtasv.net)`],
    ["evil.example.com", `${K}.returnPathTarget: "evil.example.com" is not Postmark's Return-Path target (pm.mtasv.net)`],
  ])("returnPathTarget %s is refused", (value, expected) => {
    expect(problems({ returnPathTarget: value })).toEqual([expected]);
  });

  it.each([
    ["101", `${K}.domainId: required, the Postmark domain id (a positive integer), not "101"`],
    [-1, `${K}.domainId: required, the Postmark domain id (a positive integer), not -1`],
    [1.5, `${K}.domainId: required, the Postmark domain id (a positive integer), not 1.5`],
    ["${path.cwd}", `${K}.domainId: required, the Postmark domain id (a positive integer), not "\${path.cwd}"`],
  ])("domainId %p is refused", (value, expected) => {
    expect(problems({ domainId: value })).toEqual([expected]);
  });

  it("a DKIM selector or value that is not Postmark's shape is refused", () => {
    expect(problems({ dkimSelector: "${path.cwd}", dkimHost: "${path.cwd}._domainkey.dev.ardamails.com" })).toEqual([
      `${K}.dkimSelector: "\${path.cwd}" is not a Postmark DKIM selector (YYYYMMDDhhmmss + "pm", e.g. 20260526234343pm)`,
      `${K}.dkimHost: "\${path.cwd}._domainkey.dev.ardamails.com" is not a DKIM host name (<selector>._domainkey.<sending domain>)`,
    ]);
    expect(problems({ dkimPublicKey: "k=rsa;p=AB${path.cwd}" })).toEqual([`${K}.dkimPublicKey: not a DKIM TXT value (k=rsa;p=<base64>)`]);
    const rotation = { role: "pending", dkimSelector: "%{if x}", dkimPublicKey: "k=rsa;p=NEXT", dkimHost: "%{if x}._domainkey.dev.ardamails.com" };
    expect(problems({ rotationKeys: [rotation] })).toEqual([
      `${K}.rotationKeys[0].dkimSelector: "%{if x}" is not a Postmark DKIM selector (YYYYMMDDhhmmss + "pm", e.g. 20260526234343pm)`,
      `${K}.rotationKeys[0].dkimHost: "%{if x}._domainkey.dev.ardamails.com" is not a DKIM host name (<selector>._domainkey.<sending domain>)`,
    ]);
  });
});

describe("one reader of the context file (issue 9 item 7, issue 10 item 8)", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "h10a-ctx-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (text: string): string => {
    const f = path.join(dir, "cdktf.json");
    fs.writeFileSync(f, text);
    return f;
  };
  const FIX = "fix or restore it (git checkout) before running arda-mail again";

  it.each([
    ["a BOM-prefixed file", '\uFEFF{"context":{}}', `starts with a byte-order mark (U+FEFF); save it as UTF-8 without BOM — ${FIX}`],
    ["broken JSON", '{"context": {', "is not valid JSON (Expected property name or '}' in JSON at position 13"],
    ["a list", "[]", `is not a JSON object (found a list); ${FIX}`],
    ['a "context" that is a string', '{"context":"x"}', `"context" must be an object of register entries (found a string); arda-mail will not overwrite it — ${FIX}`],
    ['a "context" that is a list', '{"context":[1]}', `"context" must be an object of register entries (found a list); arda-mail will not overwrite it — ${FIX}`],
  ])("%s is refused, naming the file", (_name, text, problem) => {
    const f = write(text);
    expect(() => readContext(f)).toThrow(ContextFileError);
    expect(() => readContext(f)).toThrow(`${f}: ${problem}`);
  });

  it("a directory is reported as such; an absent file is an empty context", () => {
    expect(() => readContext(dir)).toThrow(`${dir}: is a directory, not a context file; point ARDA_MAIL_CONTEXT_FILE (or the model's contextFile) at a JSON file`);
    expect(readContext(path.join(dir, "none.json"))).toEqual({});
  });
});
