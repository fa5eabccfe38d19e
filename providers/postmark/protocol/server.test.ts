import { decodeMsgpack } from "./cty";
import { errorDiag } from "./diagnostics";
import type { ProviderType } from "./provider-api";
import { providerHandlers } from "./server";

const SECRET = "pm-secret-canary-0123456789";

/** A provider whose every answer tries to leak the secret: the plumbing must scrub it. */
const leaky: ProviderType = {
  schema: { version: 0, description: "", attributes: {} },
  resources: {},
  dataSources: {},
  secrets: () => [SECRET],
  configure: async () => [errorDiag(`bad token ${SECRET}`, `the token ${SECRET} was rejected`)],
};

describe("protocol handlers", () => {
  test("diagnostics are scrubbed of the provider's secrets", async () => {
    const res = (await providerHandlers(leaky, () => undefined).ConfigureProvider({})) as { diagnostics: Array<{ summary: string; detail: string }> };
    expect(JSON.stringify(res)).not.toContain(SECRET);
    expect(res.diagnostics[0].summary).toMatch(/^bad token pm-s…\(27 chars\)$/);
  });

  test("UpgradeResourceState conforms stored JSON to the current schema", async () => {
    const p: ProviderType = {
      ...leaky,
      resources: {
        r: {
          schema: { version: 0, description: "", attributes: { id: { type: "string", computed: true, description: "" }, added: { type: "string", computed: true, description: "" } } },
          plan: () => ({ planned: null }),
          apply: async () => ({ state: null }),
          read: async () => ({ state: null }),
        },
      },
    };
    const res = (await providerHandlers(p, () => undefined).UpgradeResourceState({ type_name: "r", raw_state: { json: Buffer.from('{"id":"1","gone":"x"}') } })) as {
      upgraded_state: { msgpack: Uint8Array };
    };
    expect(decodeMsgpack(res.upgraded_state.msgpack)).toEqual({ id: "1", added: null });
  });
});
