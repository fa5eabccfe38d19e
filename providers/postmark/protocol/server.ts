/**
 * The gRPC side of the plugin: tfplugin6.Provider and go-plugin's plugin.GRPCController — the
 * handlers and their protobuf codecs (served by grpc-h2.ts; no proto-loader, no grpc-js at run time).
 */
import type * as protobuf from "protobufjs/light";
import { scrub } from "../../../lib/redact";
import { CtyObject, fromDynamic, toDynamic } from "./cty";
import { Diagnostic, errorDiag, toWire } from "./diagnostics";
import { tfplugin6Root } from "./descriptor";
import type { ProviderType, ResourceType } from "./provider-api";
import type { UnaryMethod } from "./grpc-h2";
import { conform, toWireSchema } from "./schema";

type Msg = Record<string, unknown>;
type Handler = (req: Msg) => Promise<Msg> | Msg;

const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, enums: Number, bytes: Buffer, defaults: false, oneofs: true };

function asObject(v: unknown): CtyObject | null {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as CtyObject) : null;
}

/** Defence in depth: whatever a handler says, known secrets are scrubbed (lib/redact, the one place). */
function scrubDiags(diags: readonly Diagnostic[], secrets: readonly string[]): Msg[] {
  return diags.map((d) => toWire({ ...d, summary: scrub(d.summary, secrets), detail: d.detail === undefined ? undefined : scrub(d.detail, secrets) }));
}

/** Turn a thrown error into a diagnostic (the message is scrubbed before it leaves). */
function thrown(e: unknown, what: string): Diagnostic {
  const message = e instanceof Error ? e.message : String(e);
  return errorDiag(`${what} failed`, message);
}

export function providerHandlers(p: ProviderType, onStop: () => void): Record<string, Handler> {
  const diags = (d: readonly Diagnostic[]): Msg[] => scrubDiags(d, p.secrets());
  const resource = (name: unknown): ResourceType => {
    const r = p.resources[String(name)];
    if (!r) throw new Error(`unknown resource type ${String(name)}`);
    return r;
  };
  const dyn = (v: unknown): CtyObject | null => asObject(fromDynamic(v as Msg));

  return {
    GetProviderSchema: () => ({
      provider: toWireSchema(p.schema),
      resource_schemas: Object.fromEntries(Object.entries(p.resources).map(([k, r]) => [k, toWireSchema(r.schema)])),
      data_source_schemas: Object.fromEntries(Object.entries(p.dataSources).map(([k, d]) => [k, toWireSchema(d.schema)])),
      server_capabilities: { plan_destroy: true, get_provider_schema_optional: false },
      diagnostics: [],
    }),
    ValidateProviderConfig: (req) => ({ diagnostics: diags(p.validate?.(dyn(req.config) ?? {}) ?? []) }),
    ValidateResourceConfig: (req) => ({ diagnostics: diags(resource(req.type_name).validate?.(dyn(req.config) ?? {}) ?? []) }),
    ValidateDataResourceConfig: (req) => {
      const d = p.dataSources[String(req.type_name)];
      return { diagnostics: diags(d?.validate?.(dyn(req.config) ?? {}) ?? []) };
    },
    UpgradeResourceState: (req) => {
      // One schema version so far: the stored JSON already has our shape; conform fills new attributes.
      const r = resource(req.type_name);
      const raw = req.raw_state as { json?: Buffer } | undefined;
      const json = raw?.json?.length ? (JSON.parse(raw.json.toString("utf8")) as Record<string, never>) : {};
      return { upgraded_state: toDynamic(conform(r.schema, json)), diagnostics: [] };
    },
    ConfigureProvider: async (req) => {
      try {
        return { diagnostics: diags(await p.configure(dyn(req.config) ?? {})) };
      } catch (e) {
        return { diagnostics: diags([thrown(e, "Configuring the Postmark provider")]) };
      }
    },
    ReadResource: async (req) => {
      const current = dyn(req.current_state);
      if (!current) return { new_state: req.current_state, diagnostics: [] };
      try {
        const r = await resource(req.type_name).read(current);
        return { new_state: toDynamic(r.state), diagnostics: diags(r.diagnostics ?? []), private: req.private };
      } catch (e) {
        return { new_state: req.current_state, diagnostics: diags([thrown(e, `Reading ${String(req.type_name)}`)]) };
      }
    },
    PlanResourceChange: (req) => {
      const r = resource(req.type_name);
      const res = r.plan({ prior: dyn(req.prior_state), proposed: dyn(req.proposed_new_state), config: dyn(req.config) });
      return {
        planned_state: toDynamic(res.planned),
        requires_replace: (res.requiresReplace ?? []).map((a) => ({ steps: [{ attribute_name: a }] })),
        planned_private: req.prior_private,
        diagnostics: diags(res.diagnostics ?? []),
      };
    },
    ApplyResourceChange: async (req) => {
      const r = resource(req.type_name);
      const prior = dyn(req.prior_state);
      try {
        const res = await r.apply({ prior, planned: dyn(req.planned_state), config: dyn(req.config) });
        return { new_state: toDynamic(res.state), diagnostics: diags(res.diagnostics ?? []) };
      } catch (e) {
        // On failure Terraform keeps whatever we return: keep the prior object, never a half one.
        return { new_state: toDynamic(prior), diagnostics: diags([thrown(e, `Applying ${String(req.type_name)}`)]) };
      }
    },
    ImportResourceState: async (req) => {
      const r = resource(req.type_name);
      if (!r.importState) return { imported_resources: [], diagnostics: diags([errorDiag(`${String(req.type_name)} cannot be imported`)]) };
      try {
        const res = await r.importState(String(req.id));
        if (!res.state) return { imported_resources: [], diagnostics: diags(res.diagnostics ?? []) };
        return {
          imported_resources: [{ type_name: req.type_name, state: toDynamic(res.state) }],
          diagnostics: diags(res.diagnostics ?? []),
        };
      } catch (e) {
        return { imported_resources: [], diagnostics: diags([thrown(e, `Importing ${String(req.type_name)}`)]) };
      }
    },
    ReadDataSource: async (req) => {
      const d = p.dataSources[String(req.type_name)];
      if (!d) return { diagnostics: diags([errorDiag(`unknown data source ${String(req.type_name)}`)]) };
      try {
        const res = await d.read(dyn(req.config) ?? {});
        return { state: toDynamic(res.state), diagnostics: diags(res.diagnostics ?? []) };
      } catch (e) {
        return { diagnostics: diags([thrown(e, `Reading data source ${String(req.type_name)}`)]) };
      }
    },
    StopProvider: () => {
      p.stop?.();
      onStop();
      return { Error: "" };
    },
  };
}

/** tfplugin6.Provider's methods by gRPC path, with their protobuf codecs (from the descriptor). */
export function providerMethods(handlers: Record<string, Handler>): Map<string, UnaryMethod> {
  const root = tfplugin6Root();
  const out = new Map<string, UnaryMethod>();
  for (const [m, handle] of Object.entries(handlers)) {
    const reqT = root.lookupType(`tfplugin6.${m}.Request`);
    const resT = root.lookupType(`tfplugin6.${m}.Response`);
    out.set(`/tfplugin6.Provider/${m}`, {
      decode: (b: Buffer) => reqT.toObject(reqT.decode(b), TO_OBJECT),
      encode: (v: unknown) => Buffer.from(resT.encode(resT.fromObject(v as Msg)).finish()),
      handle: (req: unknown) => handle(req as Msg),
    });
  }
  return out;
}

/** go-plugin's controller: one RPC, Shutdown(Empty) → Empty. Empty encodes as zero bytes. */
export function controllerMethods(onShutdown: () => void): Map<string, UnaryMethod> {
  return new Map([
    [
      "/plugin.GRPCController/Shutdown",
      {
        decode: () => ({}),
        encode: () => Buffer.alloc(0),
        handle: () => {
          onShutdown();
          return {};
        },
      },
    ],
  ]);
}
