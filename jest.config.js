/** Tests sit next to the code they test (`*.test.ts`). Transpile-only with swc; `npm run typecheck` type-checks. */
module.exports = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } }] },
  testMatch: ["<rootDir>/**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "/dist/", "/cdktf.out/", "/build/", "/.gen/"],
  modulePathIgnorePatterns: ["<rootDir>/dist/", "<rootDir>/cdktf.out/", "<rootDir>/build/"],
  setupFilesAfterEnv: ["<rootDir>/jest.setup.js"],
  testTimeout: 120000,
  // Two workers on this 2-core machine: the slow suites wait on Route53's 10–30 s change delays, not the CPU.
  // Measured from a fresh clone under load: 1 worker 15 min 17 s for 75 suites; 2 workers 17 min 32 s for 80
  // suites with two ~200 s applied suites added (the applied demo, the whole-tree takeover's first half).
  maxWorkers: 2,
};
