/**
 * Resource `postmark_domain`: a Postmark sending domain.
 * - `name` forces replacement (Postmark cannot rename a domain): its schema says `forceNew`, and
 *   that alone produces requires_replace (./crud).
 * - `return_path_domain` is updated in place; it defaults to `pm-bounces.<name>` on create.
 * - A create that meets "already exists" adopts the existing domain (a failed earlier run may have
 *   left it behind) and says so in a warning.
 * - A domain deleted outside Terraform is dropped from state on refresh, never an error.
 * - Import by numeric ID or by name.
 */
import { isAlreadyExists, isNotFound } from "../../../lib/postmark/errors";
import type { DomainDetails } from "../../../lib/postmark/types";
import { isDomainName } from "../../../platform/dns-name";
import { returnPathDomainFor } from "../../../platform/placement";
import type { ProviderContext } from "../context";
import { CtyObject, UNKNOWN } from "../protocol/cty";
import { Diagnostic, errorDiag, warningDiag } from "../protocol/diagnostics";
import type { ResourceType, StateResult } from "../protocol/provider-api";
import { BlockSpec, conform } from "../protocol/schema";
import { str } from "../values";
import { crudResource, plannedCreate, type PlanValuesArgs } from "./crud";
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
      out.push(
        errorDiag("Invalid return_path_domain", `return_path_domain "${rpd}" must be a sub-domain of "${name}" (Postmark requires it), e.g. "${returnPathDomainFor(name)}".`, ["return_path_domain"]),
      );
    }
  }
  return out;
}

/** Predicted values only (replacement is the schema's forceNew, see ./crud). */
function planValues({ prior, proposed, config }: PlanValuesArgs): CtyObject {
  const configuredRpd = config?.return_path_domain ?? null;
  if (!prior) {
    const name = proposed.name;
    const defaultRpd = typeof name === "string" ? returnPathDomainFor(name) : UNKNOWN;
    return plannedCreate(DOMAIN_SCHEMA, { ...proposed, return_path_domain: configuredRpd ?? defaultRpd });
  }
  // In place. Unset return_path_domain keeps what Postmark has (optional + computed).
  const rpd = configuredRpd ?? prior.return_path_domain;
  const planned: CtyObject = { ...prior, name: proposed.name, return_path_domain: rpd };
  if (rpd !== prior.return_path_domain) {
    planned.return_path_domain_verified = UNKNOWN;
    planned.return_path_domain_cname_value = UNKNOWN;
  }
  return planned;
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

/** The Return-Path a plan asks for: the configured one, else `pm-bounces.<name>`. */
function plannedReturnPath(planned: CtyObject): string {
  return typeof planned.return_path_domain === "string" && planned.return_path_domain ? planned.return_path_domain : returnPathDomainFor(String(planned.name));
}

/** Create; a domain that already exists (left by an earlier failed run) is adopted, with a warning. */
async function create(ctx: ProviderContext, planned: CtyObject): Promise<StateResult> {
  const api = ctx.client();
  const name = String(planned.name);
  const rpd = plannedReturnPath(planned);
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

/** Refresh; a domain deleted outside Terraform is dropped from state (the next plan re-creates it). */
async function read(ctx: ProviderContext, state: CtyObject): Promise<StateResult> {
  const id = numericId(String(state.id ?? ""));
  if (id === undefined) return { state: null };
  try {
    return { state: stateOf(await ctx.client().getDomain(id), state) };
  } catch (e) {
    if (isNotFound(e)) return { state: null };
    throw e;
  }
}

/** Update in place: only the Return-Path is editable in Postmark. */
async function update(ctx: ProviderContext, prior: CtyObject, planned: CtyObject): Promise<StateResult> {
  const api = ctx.client();
  const id = numericId(String(prior.id));
  if (id === undefined) return { state: prior, diagnostics: [errorDiag("Invalid state", `postmark_domain id "${String(prior.id)}" is not a numeric Postmark ID.`)] };
  const rpd = plannedReturnPath(planned);
  let d = await api.getDomain(id);
  if ((d.ReturnPathDomain ?? "") !== rpd) d = await api.editDomain(id, { ReturnPathDomain: rpd });
  return { state: stateOf(d, planned) };
}

/** Delete; already gone is fine: the goal state is reached. */
async function remove(ctx: ProviderContext, prior: CtyObject): Promise<StateResult> {
  const id = numericId(String(prior.id ?? ""));
  if (id !== undefined) {
    try {
      await ctx.client().deleteDomain(id);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  return { state: null };
}

/** Import by numeric ID or by name. */
async function importState(ctx: ProviderContext, importId: string): Promise<StateResult> {
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
}

export function domainResource(ctx: ProviderContext): ResourceType {
  return crudResource({
    schema: DOMAIN_SCHEMA,
    validate,
    planValues,
    create: ({ planned }) => create(ctx, planned),
    read: (state) => read(ctx, state),
    update: ({ prior, planned }) => update(ctx, prior, planned),
    delete: ({ prior }) => remove(ctx, prior),
    importState: (id) => importState(ctx, id),
  });
}
