// Lint: the import boundaries of the floors (README "Layout"), then typescript-eslint's
// recommended rules. `npm test` runs it (scripts/lint.mjs); a planted upward import fails it
// (scripts/lint.test.ts).
import tseslint from "typescript-eslint";
import importPlugin from "eslint-plugin-import";

/** Each floor and what it must never import (everything above it, and test or sandbox code). */
const ABOVE = {
  "./platform": ["./constructs", "./stacks", "./main.ts", "./lib", "./flows", "./cli", "./scripts", "./sandbox", "./providers"],
  "./constructs": ["./stacks", "./main.ts", "./lib", "./flows", "./cli", "./scripts", "./sandbox", "./providers"],
  "./stacks": ["./main.ts", "./lib", "./flows", "./cli", "./scripts", "./sandbox", "./providers"],
  "./main.ts": ["./lib", "./flows", "./cli", "./scripts", "./sandbox", "./providers"],
  "./lib": ["./flows", "./cli", "./scripts", "./sandbox", "./providers"],
  "./flows": ["./cli", "./scripts", "./sandbox", "./providers"],
  "./sandbox": ["./cli", "./scripts"],
  "./providers": ["./constructs", "./stacks", "./main.ts", "./flows", "./cli", "./scripts", "./sandbox"],
  "./cli": ["./scripts"],
};
/** The CLI's only doors into rehearsal code: the sandbox/demo commands and the --local-dns hook. */
const SANDBOX_BRIDGES = ["cli/lib/sandbox-hooks.ts", "cli/commands/demo.ts", "cli/commands/sandbox.ts"];
const TESTS = ["**/*.test.ts", "testing/**"];

const zones = (cliMaySeeSandbox) => [
  ...Object.entries(ABOVE).flatMap(([target, froms]) => froms.map((from) => ({ target, from, message: `${target} is below ${from}: nothing imports upward (README "Layout")` }))),
  { target: "./providers", from: "./platform/load.ts", message: "the provider bundle never pulls the file-walking platform loader (DNS-name rules: platform/dns-name.ts)" },
  ...(cliMaySeeSandbox ? [] : [{ target: "./cli", from: "./sandbox", message: "the CLI reaches rehearsal code only through cli/lib/sandbox-hooks.ts" }]),
  ...Object.keys(ABOVE).map((target) => ({ target, from: "./testing", message: "production code never imports test helpers" })),
  ...Object.keys(ABOVE).map((target) => ({ target, from: "./**/*.test.ts", message: "production code never imports tests" })),
];

const boundaries = (cliMaySeeSandbox) => ({
  plugins: { import: importPlugin },
  settings: { "import/resolver": { node: { extensions: [".ts", ".js", ".json"] } } },
  rules: { "import/no-restricted-paths": ["error", { basePath: import.meta.dirname, zones: zones(cliMaySeeSandbox) }] },
});

export default tseslint.config(
  { ignores: ["node_modules/**", "dist/**", "build/**", "cdktf.out/**", ".gen/**", "**/*.mjs", "**/*.js", "state/**"] },
  { files: ["**/*.ts"], extends: [tseslint.configs.recommended] },
  { files: ["**/*.ts"], ignores: [...TESTS, ...SANDBOX_BRIDGES], ...boundaries(false) },
  { files: SANDBOX_BRIDGES, ...boundaries(true) },
  // Tests and their helpers read Terraform's and Postmark's JSON as it comes.
  { files: TESTS, rules: { "@typescript-eslint/no-explicit-any": "off", "@typescript-eslint/no-require-imports": "off", "@typescript-eslint/no-unused-vars": ["error", { varsIgnorePattern: "^_" }] } },
);
