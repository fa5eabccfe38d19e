/**
 * The resource frame (./crud): replacement comes from the schema's forceNew and nothing else, and
 * apply dispatches to create / update / delete.
 */
import { UNKNOWN, type CtyObject } from "../protocol/cty";
import type { BlockSpec } from "../protocol/schema";
import { postmarkProvider } from "../provider";
import { crudResource, forceNewAttributes, type CrudResource } from "./crud";

/** A known value of the attribute's type that differs from `v`. */
function other(v: unknown, type: unknown): CtyObject[string] {
  if (Array.isArray(type)) return { changed: "yes" };
  if (type === "bool") return !v;
  if (type === "number") return (typeof v === "number" ? v : 0) + 1;
  return `${typeof v === "string" ? v : ""}-changed`;
}

const withSchema = (schema: BlockSpec, calls: string[] = []): ReturnType<typeof crudResource> =>
  crudResource({
    schema,
    create: async ({ planned }) => (calls.push("create"), { state: planned }),
    read: async (state) => ({ state }),
    update: async ({ planned }) => (calls.push("update"), { state: planned }),
    delete: async () => (calls.push("delete"), { state: null }),
  } satisfies CrudResource);

describe("replacement is the schema's forceNew", () => {
  const provider = postmarkProvider({ env: {} });

  test.each(Object.keys(provider.resources))("%s: changing an attribute requires replacement exactly when the schema marks it forceNew", (type) => {
    const r = provider.resources[type];
    const prior: CtyObject = { id: "7", name: "dev.ardamails.com", return_path_domain: "pm-bounces.dev.ardamails.com", domain_id: "7", triggers: { k: "v" }, timeout: "1m", poll_interval: "1s" };
    for (const [k, a] of Object.entries(r.schema.attributes)) prior[k] ??= a.type === "bool" ? false : "x";
    const forceNew = forceNewAttributes(r.schema);
    expect(forceNew.length).toBeGreaterThan(0);
    for (const [name, a] of Object.entries(r.schema.attributes)) {
      if (a.computed && !a.optional && !a.required) continue; // not configurable
      const proposed = { ...prior, [name]: other(prior[name], a.type) };
      const p = r.plan({ prior, proposed, config: proposed });
      expect([name, p.requiresReplace ?? []]).toEqual([name, a.forceNew ? [name] : []]);
      if (a.forceNew) expect(r.plan({ prior, proposed: { ...prior, [name]: UNKNOWN }, config: null }).requiresReplace).toEqual([name]);
    }
  });

  test("the same plan code, another schema: forceNew moved from one attribute to another moves the replacement with it", () => {
    const spec = (forceNewOn: string): BlockSpec => ({
      version: 0,
      description: "t",
      attributes: {
        id: { type: "string", computed: true, description: "id" },
        a: { type: "string", required: true, forceNew: forceNewOn === "a", description: "a" },
        b: { type: "string", optional: true, forceNew: forceNewOn === "b", description: "b" },
      },
    });
    const prior = { id: "1", a: "x", b: "y" };
    for (const on of ["a", "b"]) {
      const r = withSchema(spec(on));
      expect(r.plan({ prior, proposed: { ...prior, a: "x2" }, config: null }).requiresReplace ?? []).toEqual(on === "a" ? ["a"] : []);
      expect(r.plan({ prior, proposed: { ...prior, b: "y2" }, config: null }).requiresReplace ?? []).toEqual(on === "b" ? ["b"] : []);
    }
    // A replacement is planned as a create: computed values unknown again.
    expect(withSchema(spec("a")).plan({ prior, proposed: { ...prior, a: "x2" }, config: null }).planned?.id).toBe(UNKNOWN);
  });

  test("a forceNew map compares by content, not key order; null and absent are the same", () => {
    const schema: BlockSpec = { version: 0, description: "t", attributes: { t: { type: ["map", "string"], optional: true, forceNew: true, description: "t" } } };
    const r = withSchema(schema);
    expect(r.plan({ prior: { t: { a: "1", b: "2" } }, proposed: { t: { b: "2", a: "1" } }, config: null }).requiresReplace ?? []).toEqual([]);
    expect(r.plan({ prior: { t: null }, proposed: {}, config: null }).requiresReplace ?? []).toEqual([]);
    expect(r.plan({ prior: { t: { a: "1" } }, proposed: { t: { a: UNKNOWN } }, config: null }).requiresReplace).toEqual(["t"]);
  });
});

test("apply dispatches: no prior → create, both → update, no planned → delete", async () => {
  const calls: string[] = [];
  const r = withSchema({ version: 0, description: "t", attributes: { a: { type: "string", required: true, description: "a" } } }, calls);
  await r.apply({ prior: null, planned: { a: "1" }, config: null });
  await r.apply({ prior: { a: "1" }, planned: { a: "2" }, config: null });
  await r.apply({ prior: { a: "2" }, planned: null, config: null });
  expect(calls).toEqual(["create", "update", "delete"]);
});
