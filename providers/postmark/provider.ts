/**
 * The provider itself: its configuration (account token + API URL) and the resource and data source
 * types it serves. The Postmark calls go through THE project client (lib/postmark/client.ts).
 */
import type { PostmarkClient as PostmarkClientT } from "../../lib/postmark/client";
import { DomainApi, ProviderContext } from "./context";
import { domainDataSource } from "./data-sources/domain";
import type { CtyObject } from "./protocol/cty";
import { Diagnostic, errorDiag } from "./protocol/diagnostics";
import type { ProviderType } from "./protocol/provider-api";
import type { BlockSpec } from "./protocol/schema";
import { domainResource } from "./resources/domain";
import { domainVerificationResource } from "./resources/domain-verification";
import { isUnknownAttr, str } from "./values";

/** Postmark's API (same value as lib/postmark/client's DEFAULT_API_URL, kept here so start-up need not load the client). */
export const DEFAULT_API_URL = "https://api.postmarkapp.com";

export const PROVIDER_SCHEMA: BlockSpec = {
  version: 0,
  description: "Postmark (Account API): sending domains and their DKIM / Return-Path verification.",
  attributes: {
    account_token: {
      type: "string",
      optional: true,
      sensitive: true,
      description: "Postmark ACCOUNT token (X-Postmark-Account-Token). Falls back to the POSTMARK_ACCOUNT_TOKEN environment variable. Pass it from a sensitive variable, never a literal.",
    },
    api_url: {
      type: "string",
      optional: true,
      description: `Base URL of the Postmark API. Falls back to POSTMARK_API_URL, then ${DEFAULT_API_URL}.`,
    },
  },
};

export interface ProviderOptions {
  env?: NodeJS.ProcessEnv;
  /** Lets tests swap the client for a faithful stand-in; production uses PostmarkClient. */
  makeClient?: (opts: { accountToken: string; apiUrl: string }) => DomainApi;
}

export function postmarkProvider(options: ProviderOptions = {}): ProviderType {
  const env = options.env ?? process.env;
  const ctx = new ProviderContext();
  return {
    schema: PROVIDER_SCHEMA,
    resources: {
      postmark_domain: domainResource(ctx),
      postmark_domain_verification: domainVerificationResource(ctx),
    },
    dataSources: {
      postmark_domain: domainDataSource(ctx),
    },
    secrets: () => ctx.secrets,
    stop: () => ctx.stopping.abort(),
    validate: (config: CtyObject): Diagnostic[] => {
      const url = str(config, "api_url");
      if (url && !/^https?:\/\/[^/\s]+/.test(url)) return [errorDiag("Invalid api_url", `api_url must be an http(s) URL, got "${url}".`, ["api_url"])];
      return [];
    },
    configure: async (config: CtyObject): Promise<Diagnostic[]> => {
      if (isUnknownAttr(config, "account_token") || isUnknownAttr(config, "api_url")) {
        return [errorDiag("Postmark provider configuration is not known yet", "account_token and api_url must be known at plan time (do not derive them from resources created in the same run).")];
      }
      const accountToken = str(config, "account_token") ?? env.POSTMARK_ACCOUNT_TOKEN ?? "";
      const apiUrl = str(config, "api_url") ?? (env.POSTMARK_API_URL || DEFAULT_API_URL);
      if (!accountToken) {
        return [errorDiag("Missing Postmark account token", "Set the provider's account_token (from a sensitive variable) or the POSTMARK_ACCOUNT_TOKEN environment variable.", ["account_token"])];
      }
      // Loaded here, not at start-up: the HTTP stack is not needed before the handshake.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { PostmarkClient } = require("../../lib/postmark/client") as { PostmarkClient: typeof PostmarkClientT };
      let client: DomainApi;
      try {
        client = options.makeClient ? options.makeClient({ accountToken, apiUrl }) : new PostmarkClient({ accountToken, apiUrl });
      } catch (e) {
        // A token a header cannot carry, an API URL that is not one: say so now, not as network errors later.
        return [errorDiag("Invalid Postmark provider configuration", (e as Error).message)];
      }
      ctx.setClient(client, [accountToken]);
      return [];
    },
  };
}
