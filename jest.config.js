/** Tests sit next to the code they test (`*.test.ts`). Transpile-only with swc; `npm run typecheck` type-checks. */
module.exports = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } }] },
  testMatch: ["<rootDir>/**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "/dist/", "/cdktf.out/", "/build/", "/.gen/"],
  modulePathIgnorePatterns: ["<rootDir>/dist/", "<rootDir>/cdktf.out/", "<rootDir>/build/"],
  setupFilesAfterEnv: ["<rootDir>/jest.setup.js"],
  testTimeout: 120000,
};
