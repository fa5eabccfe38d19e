/**
 * Resource `postmark_domain_verification`: waits until Postmark has verified a domain's DKIM and
 * Return-Path, after the DNS records exist (declare it depending on them). On create it calls
 * verifyDkim / verifyReturnPath and polls with backoff — the operator log shows the first verifyDkim
 * often still pending — until both are verified or `timeout` passes; then it fails naming the record
 * Postmark still cannot see and the value it expects. Delete is a no-op (nothing to undo in Postmark).
 */
import { isNotFound } from "../../../lib/postmark/errors";
import type { DomainDetails } from "../../../lib/postmark/types";
import type { ProviderContext } from "../context";
import type { CtyObject } from "../protocol/cty";
import { Diagnostic, errorDiag } from "../protocol/diagnostics";
import type { ResourceType, StateResult } from "../protocol/provider-api";
import { BlockSpec, conform } from "../protocol/schema";
import { parseDuration, str } from "../values";
import { crudResource, plannedCreate, type PlanValuesArgs } from "./crud";
import { numericId } from "./domain-state";
import { POSTMARK_RETURN_PATH_TARGET } from "../../../platform/placement";

export const DEFAULT_TIMEOUT = "10m";
export const DEFAULT_POLL_INTERVAL = "5s";
/** Backoff: each wait is 1.5× the previous, capped here. */
const MAX_POLL_MS = 30_000;

export const DOMAIN_VERIFICATION_SCHEMA: BlockSpec = {
  version: 0,
  description: "Waits until Postmark reports a domain's DKIM and Return-Path verified. Make it depend on the DNS records.",
  attributes: {
    id: { type: "string", computed: true, description: "The domain ID." },
    domain_id: { type: "string", required: true, forceNew: true, description: "ID of the Postmark domain (`postmark_domain.<x>.id`)." },
    triggers: { type: ["map", "string"], optional: true, forceNew: true, description: "Arbitrary values; any change re-runs the verification (e.g. the DKIM record value)." },
    timeout: { type: "string", optional: true, description: `How long to wait for verification, a duration like "10m" (default ${DEFAULT_TIMEOUT}).` },
    poll_interval: { type: "string", optional: true, description: `First wait between verification attempts (default ${DEFAULT_POLL_INTERVAL}); grows 1.5× per attempt up to 30s.` },
    dkim_verified: { type: "bool", computed: true, description: "Postmark reports DKIM verified." },
    return_path_verified: { type: "bool", computed: true, description: "Postmark reports the Return-Path verified." },
  },
};

function validate(config: CtyObject): Diagnostic[] {
  const out: Diagnostic[] = [];
  const id = str(config, "domain_id");
  if (id !== undefined && numericId(id) === undefined) out.push(errorDiag("Invalid domain_id", `domain_id must be a numeric Postmark domain ID, got "${id}".`, ["domain_id"]));
  for (const key of ["timeout", "poll_interval"]) {
    const v = str(config, key);
    if (v === undefined) continue;
    try {
      if (parseDuration(v) <= 0) throw new Error(`"${v}" must be longer than zero`);
    } catch (e) {
      out.push(errorDiag(`Invalid ${key}`, (e as Error).message, [key]));
    }
  }
  return out;
}

/**
 * Predicted values only: replacement (a new domain_id or triggers) is the schema's forceNew (./crud).
 * timeout / poll_interval only matter while creating: an in-place change touches nothing in Postmark.
 */
function planValues({ prior, proposed }: PlanValuesArgs): CtyObject {
  if (!prior) return plannedCreate(DOMAIN_VERIFICATION_SCHEMA, proposed);
  return { ...prior, timeout: proposed.timeout, poll_interval: proposed.poll_interval };
}

export function dkimOk(d: DomainDetails): boolean {
  return !!d.DKIMVerified && d.DKIMUpdateStatus !== "Pending";
}

/** What Postmark still cannot see, as operator-facing sentences (all values are DNS-public). */
export function missingRecords(d: DomainDetails): string[] {
  const out: string[] = [];
  if (!dkimOk(d)) {
    const host = d.DKIMPendingHost || d.DKIMHost;
    const value = d.DKIMPendingHost ? d.DKIMPendingTextValue : d.DKIMTextValue;
    out.push(`DKIM: Postmark cannot see the TXT record at ${host} with the value "${value}".`);
  }
  if (!d.ReturnPathDomainVerified) {
    out.push(`Return-Path: Postmark cannot see the CNAME record ${d.ReturnPathDomain} → ${d.ReturnPathDomainCNAMEValue || POSTMARK_RETURN_PATH_TARGET}.`);
  }
  return out;
}

export interface VerifyOptions {
  timeoutMs: number;
  pollMs: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Aborted by StopProvider (Ctrl-C): stop waiting at once. */
  signal?: AbortSignal;
}

/** Resolves after `ms`, or as soon as `signal` aborts. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Ask Postmark to verify until both are verified or the time is up; returns the last details. */
export async function verifyUntilDone(
  api: ReturnType<ProviderContext["client"]>,
  id: number,
  o: VerifyOptions,
): Promise<{ details: DomainDetails; done: boolean; attempts: number; stopped: boolean }> {
  const sleep = o.sleep ?? ((ms: number) => pause(ms, o.signal));
  const now = o.now ?? Date.now;
  const deadline = now() + o.timeoutMs;
  let wait = o.pollMs;
  let details = await api.getDomain(id);
  for (let attempt = 1; ; attempt++) {
    if (!dkimOk(details)) details = await api.verifyDkim(id);
    if (!details.ReturnPathDomainVerified) details = await api.verifyReturnPath(id);
    if (dkimOk(details) && details.ReturnPathDomainVerified) return { details, done: true, attempts: attempt, stopped: false };
    const left = deadline - now();
    if (o.signal?.aborted) return { details, done: false, attempts: attempt, stopped: true };
    if (left <= 0) return { details, done: false, attempts: attempt, stopped: false };
    await sleep(Math.min(wait, left));
    wait = Math.min(MAX_POLL_MS, Math.round(wait * 1.5));
  }
}

function stateOf(base: CtyObject, d: DomainDetails): CtyObject {
  return conform(DOMAIN_VERIFICATION_SCHEMA, { ...base, id: String(d.ID), dkim_verified: dkimOk(d), return_path_verified: !!d.ReturnPathDomainVerified });
}

/** Create: ask Postmark to verify until both are verified, the timeout passes, or Terraform stops us. */
async function create(ctx: ProviderContext, planned: CtyObject): Promise<StateResult> {
  const id = numericId(String(planned.domain_id));
  if (id === undefined) return { state: null, diagnostics: [errorDiag("Invalid domain_id", `domain_id must be a numeric Postmark domain ID, got "${String(planned.domain_id)}".`, ["domain_id"])] };
  const timeoutText = str(planned, "timeout") ?? DEFAULT_TIMEOUT;
  const r = await verifyUntilDone(ctx.client(), id, {
    timeoutMs: parseDuration(timeoutText),
    pollMs: parseDuration(str(planned, "poll_interval") ?? DEFAULT_POLL_INTERVAL),
    signal: ctx.stopping.signal,
  });
  if (r.stopped) {
    return {
      state: null,
      diagnostics: [errorDiag(`Stopped waiting for Postmark to verify ${r.details.Name}`, `Terraform asked the provider to stop (interrupt).\n${missingRecords(r.details).join("\n")}`)],
    };
  }
  if (!r.done) {
    return {
      state: null,
      diagnostics: [
        errorDiag(
          `Postmark did not verify ${r.details.Name} within ${timeoutText}`,
          `${missingRecords(r.details).join("\n")}\nChecked ${r.attempts} times. Create or fix the record(s) in DNS, wait for them to propagate, then apply again (or raise timeout).`,
        ),
      ],
    };
  }
  return { state: stateOf(planned, r.details) };
}

async function read(ctx: ProviderContext, state: CtyObject): Promise<StateResult> {
  const id = numericId(String(state.domain_id ?? ""));
  if (id === undefined) return { state: null };
  try {
    return { state: stateOf(state, await ctx.client().getDomain(id)) };
  } catch (e) {
    if (isNotFound(e)) return { state: null };
    throw e;
  }
}

export function domainVerificationResource(ctx: ProviderContext): ResourceType {
  return crudResource({
    schema: DOMAIN_VERIFICATION_SCHEMA,
    validate,
    planValues,
    create: ({ planned }) => create(ctx, planned),
    read: (state) => read(ctx, state),
    // Only timeout / poll_interval can change in place: nothing to do in Postmark.
    update: async ({ prior, planned }) => ({ state: { ...prior, timeout: planned.timeout, poll_interval: planned.poll_interval } }),
    // Nothing to undo in Postmark.
    delete: async () => ({ state: null }),
  });
}
