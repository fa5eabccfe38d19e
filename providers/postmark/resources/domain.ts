/**
 * Resource `postmark_domain`: a Postmark sending domain.
 * - `name` forces replacement (Postmark cannot rename a domain).
 * - `return_path_domain` is updated in place; it defaults to `pm-bounces.<name>` on create.
 * - A create that meets "already exists" adopts the existing domain (a failed earlier run may have
 *   left it behind) and says so in a warning.
 * - A domain deleted outside Terraform is dropped from state on refresh, never an error.
 * - Import by numeric ID or by name.
 */
import { isAlreadyExists, isNotFound } from "../../../lib/postmark/errors";
import type { DomainDetails } from "../../../lib/postmark/types";
import { isDomainName } from "../../../platform/load";
import { returnPathDomainFor } from "../../../platform/placement";
import type { ProviderContext } from "../context";
import { CtyObject, UNKNOWN } from "../protocol/cty";
import { Diagnostic, errorDiag, warningDiag } from "../protocol/diagnostics";
import type { PlanResult, ResourceType, StateResult } from "../protocol/provider-api";
import { BlockSpec, conform } from "../protocol/schema";
import { isUnknownAttr, str } from "../values";
import { DOMAIN_COMPUTED, domainAttributes, numericId } from "./domain-state";

export const DOMAIN_SCHEMA: BlockSpec = {
  version: 0,
  description: "A Postmark sending domain (Account API /domains). Import with its numeric ID or its name.",
  attributes: {
    id: { type: "string", computed: true, description: "Postmark's numeric domain ID, as a string." },
    name: { type: "string", required: true, forceNew: true, description: "The domain name, e.g. `dev.ardamails.com`. Changing it replaces the domain." },
    return_path_domain: {
      type: "string",
      optional: true,
      computed: true,
      description: "Return-Path (bounce) domain, a sub-domain of `name` with a CNAME to `pm.mtasv.net`. Defaults to `pm-bounces.<name>` on create; updated in place.",
    },
    ...DOMAIN_COMPUTED,
  },
};

/** A domain name Postmark would accept: dot-separated DNS labels, at least two. */
export function domainNameProblem(name: string): string | undefined {
  if (!isDomainName(name.toLowerCase())) {
    return `"${name}" is not a domain name (dot-separated DNS labels of letters, digits and hyphens, e.g. "dev.ardamails.com")`;
  }
  return undefined;
}

function validate(config: CtyObject): Diagnostic[] {
  const out: Diagnostic[] = [];
  const name = typeof config.name === "string" ? config.name : undefined; // "" included: it is invalid
  if (name !== undefined) {
    const p = domainNameProblem(name);
    if (p) out.push(errorDiag("Invalid domain name", p, ["name"]));
  }
  if (config.return_path_domain === "") {
    out.push(errorDiag("Invalid return_path_domain", `return_path_domain must not be empty; omit it for the default ("pm-bounces.<name>").`, ["return_path_domain"]));
  }
  const rpd = str(config, "return_path_domain");
  if (rpd && name && !domainNameProblem(name)) {
    const p = domainNameProblem(rpd);
    if (p) out.push(errorDiag("Invalid return_path_domain", p, ["return_path_domain"]));
    else if (!rpd.toLowerCase().endsWith(`.${name.toLowerCase()}`)) {
      out.push(errorDiag("Invalid return_path_domain", `return_path_domain "${rpd}" must be a sub-domain of "${name}" (Postmark requires it), e.g. "${returnPathDomainFor(name)}".`, ["return_path_domain"]));
    }
  }
  return out;
}

function allComputedUnknown(base: CtyObject): CtyObject {
  const out: CtyObject = { ...base, id: UNKNOWN };
  for (const k of Object.keys(DOMAIN_COMPUTED)) out[k] = UNKNOWN;
  return out;
}

function plan({ prior, proposed, config }: { prior: CtyObject | null; proposed: CtyObject | null; config: CtyObject | null }): PlanResult {
  if (!proposed) return { planned: null };
  const name = proposed.name;
  const configuredRpd = config?.return_path_domain ?? null;
  const defaultRpd = typeof name === "string" ? returnPathDomainFor(name) : UNKNOWN;
  if (!prior) {
    return { planned: allComputedUnknown({ ...proposed, return_path_domain: configuredRpd ?? defaultRpd }) };
  }
  if (isUnknownAttr(proposed, "name") || proposed.name !== prior.name) {
    // Replacement: Terraform plans the create again with a null prior; here, show the new object as unknown.
    return { planned: allComputedUnknown({ ...proposed, return_path_domain: configuredRpd ?? defaultRpd }), requiresReplace: ["name"] };
  }
  // In place. Unset return_path_domain keeps what Postmark has (optional + computed).
  const rpd = configuredRpd ?? prior.return_path_domain;
  const planned: CtyObject = { ...prior, name: proposed.name, return_path_domain: rpd };
  if (rpd !== prior.return_path_domain) {
    planned.return_path_domain_verified = UNKNOWN;
    planned.return_path_domain_cname_value = UNKNOWN;
  }
  return { planned };
}

/**
 * State from Postmark's answer. Domain names are case-insensitive: where Postmark's spelling differs
 * from the configured one only in case, keep the configured spelling (Terraform would otherwise
 * report an inconsistent result, or a diff on every plan).
 */
function stateOf(d: DomainDetails, spelledAs?: CtyObject | null): CtyObject {
  const s = conform(DOMAIN_SCHEMA, domainAttributes(d));
  for (const k of ["name", "return_path_domain"]) {
    const mine = spelledAs?.[k];
    const theirs = s[k];
    if (typeof mine === "string" && typeof theirs === "string" && mine !== theirs && mine.toLowerCase() === theirs.toLowerCase()) s[k] = mine;
  }
  return s;
}

export function domainResource(ctx: ProviderContext): ResourceType {
  return {
    schema: DOMAIN_SCHEMA,
    validate,
    plan,
    async apply({ prior, planned }): Promise<StateResult> {
      const api = ctx.client();
      if (!planned) {
        // Destroy. Already gone is fine: the goal state is reached.
        const id = numericId(String(prior?.id ?? ""));
        if (id !== undefined) {
          try {
            await api.deleteDomain(id);
          } catch (e) {
            if (!isNotFound(e)) throw e;
          }
        }
        return { state: null };
      }
      const name = String(planned.name);
      const rpd = typeof planned.return_path_domain === "string" && planned.return_path_domain ? planned.return_path_domain : returnPathDomainFor(name);
      if (!prior) {
        const diagnostics: Diagnostic[] = [];
        let d: DomainDetails;
        try {
          d = await api.createDomain({ Name: name, ReturnPathDomain: rpd });
        } catch (e) {
          if (!isAlreadyExists(e)) throw e;
          d = await api.getDomain(e.existingId);
          diagnostics.push(
            warningDiag(
              `Adopted the existing Postmark domain "${name}" (ID ${d.ID})`,
              "The domain already existed in this Postmark account (for example left behind by an earlier failed run); Terraform now manages it instead of creating a second one.",
            ),
          );
          if ((d.ReturnPathDomain ?? "").toLowerCase() !== rpd.toLowerCase()) d = await api.editDomain(d.ID, { ReturnPathDomain: rpd });
        }
        return { state: stateOf(d, planned), diagnostics };
      }
      const id = numericId(String(prior.id));
      if (id === undefined) return { state: prior, diagnostics: [errorDiag("Invalid state", `postmark_domain id "${String(prior.id)}" is not a numeric Postmark ID.`)] };
      let d = await api.getDomain(id);
      if ((d.ReturnPathDomain ?? "") !== rpd) d = await api.editDomain(id, { ReturnPathDomain: rpd });
      return { state: stateOf(d, planned) };
    },
    async read(state): Promise<StateResult> {
      const id = numericId(String(state.id ?? ""));
      if (id === undefined) return { state: null };
      try {
        return { state: stateOf(await ctx.client().getDomain(id), state) };
      } catch (e) {
        // Deleted outside Terraform: drop it; the next plan shows it will be created.
        if (isNotFound(e)) return { state: null };
        throw e;
      }
    },
    async importState(importId): Promise<StateResult> {
      const api = ctx.client();
      const id = numericId(importId);
      let d: DomainDetails | undefined;
      if (id !== undefined) {
        try {
          d = await api.getDomain(id);
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      } else {
        const problem = domainNameProblem(importId.trim());
        if (problem) return { state: null, diagnostics: [errorDiag("Cannot import postmark_domain", `The import ID must be a numeric Postmark domain ID or a domain name; ${problem}.`)] };
        d = await api.findDomainByName(importId.trim());
      }
      if (!d) {
        return {
          state: null,
          diagnostics: [errorDiag("Cannot import postmark_domain", `No Postmark domain with ${id !== undefined ? "ID" : "name"} "${importId}" exists in this account.`)],
        };
      }
      return { state: stateOf(d) };
    },
  };
}
