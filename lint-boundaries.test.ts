/**
 * The floors are enforced, not hoped for: the same ESLint configuration `npm test` runs refuses a
 * planted upward import, production code importing test or sandbox code, and lets the sanctioned
 * doors through.
 */
import { execFileSync } from "node:child_process";

type Case = readonly [file: string, code: string];

/** Lint every case in one ESLint process (its flat config is ESM, which jest's runtime cannot load). */
function boundaryErrors(cases: readonly Case[]): string[][] {
  const script = `
    import { ESLint } from "eslint";
    const cases = JSON.parse(process.argv[1]);
    const eslint = new ESLint({ cwd: process.cwd() });
    const out = [];
    for (const [filePath, code] of cases) {
      const [r] = await eslint.lintText(code, { filePath });
      out.push(r.messages.filter((m) => m.ruleId === "import/no-restricted-paths").map((m) => m.message));
    }
    process.stdout.write(JSON.stringify(out));`;
  return JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script, JSON.stringify(cases)], { cwd: __dirname, encoding: "utf8" })) as string[][];
}

const REFUSED: Array<[string, string, RegExp]> = [
  ["lib/planted.ts", 'import { ArdaCommand } from "../cli/base-command";\nexport const x = ArdaCommand;\n', /\.\/lib is below \.\/cli/],
  ["lib/planted.ts", 'import { deployPartition } from "../flows/deploy/deploy";\nexport const x = deployPartition;\n', /\.\/lib is below \.\/flows/],
  ["flows/planted.ts", 'import { startSandbox } from "../sandbox/postmark/server";\nexport const x = startSandbox;\n', /\.\/flows is below \.\/sandbox/],
  ["platform/planted.ts", 'import { scrub } from "../lib/redact";\nexport const x = scrub;\n', /\.\/platform is below \.\/lib/],
  ["stacks/planted.ts", 'import { buildApp } from "../main";\nexport const x = buildApp;\n', /\.\/stacks is below \.\/main\.ts/],
  ["flows/planted.ts", 'import { sandboxPlatform } from "../testing/stacks";\nexport const x = sandboxPlatform;\n', /never imports test helpers/],
  ["cli/commands/deploy.ts", 'import { localDnsPublisher } from "../../sandbox/dns/publish";\nexport const x = localDnsPublisher;\n', /only through cli\/lib\/sandbox-hooks\.ts/],
];
const ALLOWED: Case[] = [
  ["flows/planted.ts", 'import { scrub } from "../lib/redact";\nexport const x = scrub;\n'],
  ["cli/lib/sandbox-hooks.ts", 'import { localDnsPublisher } from "../../sandbox/dns/publish";\nexport const x = localDnsPublisher;\n'],
];

describe("import boundaries", () => {
  let refused: string[][] = [];
  let allowed: string[][] = [];
  beforeAll(() => {
    const all = boundaryErrors([...REFUSED.map(([f, c]) => [f, c] as const), ...ALLOWED]);
    refused = all.slice(0, REFUSED.length);
    allowed = all.slice(REFUSED.length);
  }, 60_000);

  it.each(REFUSED.map((c, i) => [c[0], c[2], i] as const))("%s: a planted import is refused (%p)", (_file, message, i) => {
    expect(refused[i]).toEqual([expect.stringMatching(message)]);
  });

  it("lets the sanctioned imports through: downward, and the CLI's sandbox bridge", () => {
    expect(allowed).toEqual([[], []]);
  });
});
