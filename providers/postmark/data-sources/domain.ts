/** Data source `postmark_domain`: look a domain up by `name` or by `id` (exactly one). */
import { isNotFound } from "../../../lib/postmark/errors";
import type { DomainDetails } from "../../../lib/postmark/types";
import type { ProviderContext } from "../context";
import type { CtyObject } from "../protocol/cty";
import { Diagnostic, errorDiag } from "../protocol/diagnostics";
import type { DataSourceType, StateResult } from "../protocol/provider-api";
import { BlockSpec, conform } from "../protocol/schema";
import { DOMAIN_COMPUTED, domainAttributes, numericId } from "../resources/domain-state";
import { isUnknownAttr, str } from "../values";

export const DOMAIN_DATA_SCHEMA: BlockSpec = {
  version: 0,
  description: "An existing Postmark domain, found by `name` or `id`.",
  attributes: {
    id: { type: "string", optional: true, computed: true, description: "Postmark's numeric domain ID (give this or `name`)." },
    name: { type: "string", optional: true, computed: true, description: "The domain name (give this or `id`)." },
    return_path_domain: { type: "string", computed: true, description: "The Return-Path domain." },
    ...DOMAIN_COMPUTED,
  },
};

function validate(config: CtyObject): Diagnostic[] {
  if (isUnknownAttr(config, "id") || isUnknownAttr(config, "name")) return [];
  const id = str(config, "id");
  const name = str(config, "name");
  if ((id === undefined) === (name === undefined))
    return [errorDiag("Give exactly one of id or name", "data.postmark_domain looks a domain up by `id` (numeric) or by `name`, not both and not neither.")];
  if (id !== undefined && numericId(id) === undefined) return [errorDiag("Invalid id", `id must be a numeric Postmark domain ID, got "${id}".`, ["id"])];
  return [];
}

export function domainDataSource(ctx: ProviderContext): DataSourceType {
  return {
    schema: DOMAIN_DATA_SCHEMA,
    validate,
    async read(config): Promise<StateResult> {
      const problems = validate(config);
      if (problems.length) return { state: null, diagnostics: problems };
      const api = ctx.client();
      const idText = str(config, "id");
      const name = str(config, "name");
      let d: DomainDetails | undefined;
      if (idText !== undefined) {
        try {
          d = await api.getDomain(numericId(idText) as number);
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      } else {
        d = await api.findDomainByName(name as string);
      }
      if (!d)
        return { state: null, diagnostics: [errorDiag("Postmark domain not found", `No Postmark domain with ${idText !== undefined ? `ID ${idText}` : `name "${name}"`} exists in this account.`)] };
      return { state: conform(DOMAIN_DATA_SCHEMA, domainAttributes(d)) };
    },
  };
}
