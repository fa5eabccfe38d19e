/**
 * One registry rule: every registry `keys check` accepts passes the stack's Terraform validation and
 * every one it refuses fails it — checked against the real terraform CLI, one plan for all cases.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { newKeyEntry, parseRegistry } from "../lib/keys";
import { runTerraform, terraformEnv } from "../lib/terraform";
import { keyRegistryCondition } from "./write-only-secret";

jest.setTimeout(60_000);

const b64 = (fill: number, n = 64): string => Buffer.alloc(n, fill).toString("base64");
const ID = "0f8fad5b-d9cb-469f-a165-70867728950e";
const many = (n: number): string => JSON.stringify(Object.fromEntries(Array.from({ length: n }, () => newKeyEntry())));

const CASES: Record<string, string> = {
  v4: JSON.stringify({ [ID]: b64(1) }),
  v1_and_v7: JSON.stringify({ "c232ab00-9414-11ec-b3c8-9f6bdeced846": b64(1), "01890a5d-ac96-774b-bcce-b302099a8057": b64(2) }),
  at_the_size_bound: many(504),
  over_the_size_bound: many(510),
  upper_case_id: JSON.stringify({ [ID.toUpperCase()]: b64(1) }),
  not_a_uuid: JSON.stringify({ "key-1": b64(1) }),
  short_value: JSON.stringify({ [ID]: b64(1, 48) }),
  duplicate_value: JSON.stringify({ [ID]: b64(1), "7c9e6679-7425-40de-944b-e07fc1f90ae7": b64(1) }),
  empty: "{}",
  array: "[]",
};

test("keys check and the Terraform variable validation accept exactly the same registries", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "arda-registry-rule-"));
  try {
    const variable = Object.fromEntries(
      Object.keys(CASES).map((name) => [`r_${name}`, { type: "string", sensitive: true, validation: [{ condition: keyRegistryCondition(`r_${name}`), error_message: `rejected:r_${name}.` }] }]),
    );
    fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify({ variable }, null, 2));
    const env = terraformEnv(Object.fromEntries(Object.entries(CASES).map(([name, text]) => [`TF_VAR_r_${name}`, text])));
    expect((await runTerraform(["init", "-input=false", "-no-color"], { cwd: dir, env })).code).toBe(0);
    const plan = await runTerraform(["plan", "-input=false", "-no-color"], { cwd: dir, env });
    // Terraform prints each failed variable's error_message on a line of its own.
    const terraformRejects = new Set([...plan.stderr.matchAll(/^\s*rejected:r_(\w+)\.$/gm)].map((m) => m[1]));
    const keysCheckRejects = new Set(
      Object.entries(CASES)
        .filter(([, text]) => {
          try {
            parseRegistry(text);
            return false;
          } catch {
            return true;
          }
        })
        .map(([name]) => name),
    );
    expect([...keysCheckRejects].sort()).toEqual(["array", "duplicate_value", "empty", "not_a_uuid", "over_the_size_bound", "short_value", "upper_case_id"]);
    expect([...terraformRejects].sort()).toEqual([...keysCheckRejects].sort());
    expect(Buffer.byteLength(CASES.at_the_size_bound)).toBeLessThanOrEqual(65_536);
    expect(Buffer.byteLength(CASES.over_the_size_bound)).toBeGreaterThan(65_536);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
