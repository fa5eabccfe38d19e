/**
 * Issue 10 "Done when": arbitrary strings fed through the platform loader, the context loader and
 * the synth. Every run ends either in a clean load error whose every line names its field, or in
 * synthesized Terraform where no string carries an interpolation (`${…}`) or directive (`%{…}`) the
 * app did not write itself. Any other exception (a TypeError, a CDKTF crash) fails the property.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { buildApp } from "./main";
import { ContextFileError } from "./platform/context-file";
import { platformFile, PlatformValidationError, validatePlatform } from "./platform/load";
import { MissingContextError } from "./platform/mail-context";
import { SANDBOX_CONTEXT_FILE } from "./testing/stacks";

const STACKS = ["Root", "Corporate", "Alpha002-dev-Email"];
const sandboxRaw = (): Record<string, any> => JSON.parse(fs.readFileSync(platformFile("sandbox"), "utf8"));
const sandboxContextDoc = (): Record<string, any> => JSON.parse(fs.readFileSync(SANDBOX_CONTEXT_FILE, "utf8"));

/** The interpolations the app itself writes: references, its own functions, the dynamic block's iterator. */
const OWN_INTERPOLATION = /^\$\{(?:aws_|data\.|var\.|assume_role\.value\}|try\(|join\(|postmark_)/;

/** Strings in template positions that carry an interpolation or directive the app did not write. */
function foreignTemplates(json: unknown, where = ""): string[] {
  if (typeof json === "string") {
    const found: string[] = [];
    for (let i = 0; i < json.length; i++) {
      if (json.startsWith("$${", i) || json.startsWith("%%{", i)) i += 2;
      else if (json.startsWith("%{", i)) found.push(`${where}: ${json}`);
      else if (json.startsWith("${", i) && !OWN_INTERPOLATION.test(json.slice(i))) found.push(`${where}: ${json}`);
    }
    return found;
  }
  if (Array.isArray(json)) return json.flatMap((v, i) => foreignTemplates(v, `${where}[${i}]`));
  if (json && typeof json === "object") {
    return Object.entries(json).flatMap(([k, v]) => {
      // Not templates to Terraform: comments (`//`), variable defaults and backend arguments are literals.
      if (k === "//" || (where.startsWith("variable.") && k === "default") || (where === "terraform" && k === "backend")) return [];
      return foreignTemplates(v, where ? `${where}.${k}` : k);
    });
  }
  return [];
}

/** Strings that mix the characters of Terraform templates, paths, quotes and control characters. */
const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc
    .array(fc.constantFrom("${", "%{", "}", "$${", "%%{", "path.cwd", 'file("/etc/hostname")', '"', "\\", "\n", "../", "/", "a", "Z", "-", ".", "@", "pm", "2026", "TfToken[", "\uFEFF", " "), {
      maxLength: 8,
    })
    .map((parts) => parts.join("")),
);
const hostileValue = fc.oneof({ weight: 6, arbitrary: hostileString }, fc.integer(), fc.constant(null), fc.constant([]), fc.constant({}), fc.boolean());

/** Every string field of the sandbox model, as a path (a few list entries stand for all of them). */
function stringPaths(node: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (typeof node === "string" || node === null) return [at];
  if (Array.isArray(node)) return node.slice(0, 3).flatMap((v, i) => stringPaths(v, [...at, i]));
  if (node && typeof node === "object") return Object.entries(node).flatMap(([k, v]) => stringPaths(v, [...at, k]));
  return [];
}

function setAt(obj: any, at: (string | number)[], value: unknown): void {
  const last = at[at.length - 1];
  const parent = at.slice(0, -1).reduce((o, k) => o[k], obj);
  parent[last] = value;
}

const FIELD_FIRST = /^(?:\(root\)|[A-Za-z][\w-]*(?:\[\d+\]|\.[\w-]+|\.\$\{[^}]*\})*): /;

let outdir: string;
beforeAll(() => (outdir = fs.mkdtempSync(path.join(os.tmpdir(), "h10a-property-"))));
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

/** Synthesize the stacks and return every foreign template found (throws load errors as they are). */
function synthFindings(platform: ReturnType<typeof validatePlatform>, contextFile: string): string[] {
  fs.rmSync(path.join(outdir, "stacks"), { recursive: true, force: true });
  buildApp({ platform, outdir, contextFile, stacks: STACKS }).synth();
  // A renamed partition drops its stack from the selection: read what was synthesized.
  const built = fs.readdirSync(path.join(outdir, "stacks"));
  return built.flatMap((s) => foreignTemplates(JSON.parse(fs.readFileSync(path.join(outdir, "stacks", s, "cdk.tf.json"), "utf8"))).map((f) => `${s}: ${f}`));
}

describe("property: hostile strings never reach Terraform unescaped, and never crash (issue 10)", () => {
  const paths = stringPaths(sandboxRaw());

  it("platform loader + synth", () => {
    fc.assert(
      fc.property(fc.constantFrom(...paths), hostileValue, (at, value) => {
        const raw = sandboxRaw();
        setAt(raw, at, value);
        let platform;
        try {
          platform = validatePlatform(raw, { source: "property.platform.json", env: {} });
        } catch (e) {
          if (!(e instanceof PlatformValidationError)) throw e;
          for (const p of e.problems) expect(p).toMatch(FIELD_FIRST);
          return;
        }
        try {
          expect(synthFindings(platform, SANDBOX_CONTEXT_FILE)).toEqual([]);
        } catch (e) {
          // A valid model whose renamed partition has no register entry yet: a clean, named refusal.
          if (!(e instanceof MissingContextError)) throw e;
        }
      }),
      { numRuns: 300 },
    );
  });

  it("free-text fields that may hold ${ and %{ (DMARC mailbox, root-zone comment) + synth", () => {
    const atext = fc.array(fc.constantFrom("${", "%{", "}", "$${", "%%{", "path.cwd", "file", "$", "%", "{", "a", "-", "+", "="), { minLength: 1, maxLength: 8 }).map((p) => p.join(""));
    fc.assert(
      fc.property(atext, hostileString, (local, comment) => {
        const raw = sandboxRaw();
        raw.dmarcReportMailbox = `${local}@arda.cards`;
        raw.rootZone.comment = comment;
        let platform;
        try {
          platform = validatePlatform(raw, { source: "property.platform.json", env: {} });
        } catch (e) {
          if (!(e instanceof PlatformValidationError)) throw e;
          for (const p of e.problems) expect(p).toMatch(/^(?:rootZone\.comment|dmarcReportMailbox): /);
          return;
        }
        expect(synthFindings(platform, SANDBOX_CONTEXT_FILE)).toEqual([]);
      }),
      { numRuns: 30 },
    );
  });

  it("context loader (entry fields) + synth", () => {
    const platform = validatePlatform(sandboxRaw(), { source: "t", env: {} });
    const file = path.join(os.tmpdir(), `h10a-property-${process.pid}.json`);
    const entryFields = ["domainId", "dkimSelector", "dkimPublicKey", "dkimHost", "returnPathDomain", "returnPathTarget", "rotationKeys"];
    const rotationFields = ["role", "dkimSelector", "dkimPublicKey", "dkimHost"];
    try {
      fc.assert(
        fc.property(fc.constantFrom(...entryFields), fc.constantFrom(...rotationFields), hostileValue, (field, rotationField, value) => {
          const doc = sandboxContextDoc();
          const entry = doc.context["partitionMail:Alpha002:dev"];
          if (field === "rotationKeys") {
            const key = { role: "pending", dkimSelector: "20261201000000pm", dkimPublicKey: "k=rsa;p=NEXT", dkimHost: "20261201000000pm._domainkey.dev.ardamails.com" };
            entry.rotationKeys = [{ ...key, [rotationField]: value }];
          } else entry[field] = value;
          fs.writeFileSync(file, JSON.stringify(doc));
          try {
            expect(synthFindings(platform, file)).toEqual([]);
          } catch (e) {
            const message = (e as Error).message;
            if (!(e instanceof Error) || !message.startsWith('Invalid CDKTF context entry "partitionMail:Alpha002:dev"')) throw e;
            for (const line of message.split("\n").slice(1)) expect(line).toMatch(/^ {2}- partitionMail:Alpha002:dev\.(?:rotationKeys(?:\[0\])?\.?)?[A-Za-z]*: /);
          }
        }),
        { numRuns: 80 },
      );
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  it("context reader (whole file text)", () => {
    const file = path.join(os.tmpdir(), `h10a-property-file-${process.pid}.json`);
    const platform = validatePlatform(sandboxRaw(), { source: "t", env: {} });
    try {
      fc.assert(
        fc.property(
          fc.oneof(
            hostileString,
            fc.json(),
            hostileString.map((s) => `{"context": ${JSON.stringify(s)}}`),
          ),
          (text) => {
            fs.writeFileSync(file, text);
            try {
              buildApp({ platform, outdir, contextFile: file, stacks: ["Alpha002-dev-Email"] });
            } catch (e) {
              if (e instanceof ContextFileError) expect(e.message.startsWith(`${file}: `)).toBe(true);
              else if (!(e instanceof MissingContextError)) throw e;
            }
          },
        ),
        { numRuns: 150 },
      );
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});
