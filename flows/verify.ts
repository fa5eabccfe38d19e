/**
 * `arda-mail verify`: the operator log's validate-exit checks as code. DNS first (NS delegation,
 * SPF, DMARC, DKIM byte-identical, Return-Path CNAME), then Postmark's verifyDkim /
 * verifyReturnPath with bounded retries (the first DKIM call is often still pending; not made at
 * all once a DNS check has failed), then the stack's six outputs. Every check carries the expected and the seen value.
 */
import { placementOfEntry, type MailContextEntry } from "../platform/mail-context";
import type { Partition, Platform } from "../platform/model";
import { corporateDomain, PARTITION_OUTPUTS, partitionDomain } from "../platform/names";
import type { DomainDetails } from "../lib/postmark/types";
import { type Delegation, DelegationError, type DnsReader, LookupError, parentZoneOf } from "../lib/dns/reader";

export interface CheckResult {
  readonly check: string;
  /** The DNS name or Postmark object the check looked at. */
  readonly subject: string;
  readonly ok: boolean;
  readonly expected: string;
  readonly seen: string;
  readonly note?: string;
}

export interface VerifyReport {
  readonly target: string;
  readonly sendingDomain: string;
  readonly resolver: string;
  readonly ok: boolean;
  readonly checks: CheckResult[];
}

/** The Postmark calls verify needs (the Account API client satisfies it; tests use the sandbox). */
export interface PostmarkDomainVerifier {
  verifyDkim(id: number): Promise<DomainDetails>;
  verifyReturnPath(id: number): Promise<DomainDetails>;
}

export interface OutputsSource {
  /** `state`: applied outputs; `plan`: the planned outputs of the plan JSON (offline: nothing is applied). */
  readonly kind: "state" | "plan";
  readonly names: readonly string[];
}

export interface VerifyTarget {
  /** `Alpha002/dev` or `corporate`. */
  readonly label: string;
  readonly sendingDomain: string;
  readonly entry: MailContextEntry;
  readonly dmarcReportMailbox: string;
  /** Outputs every stack of this kind must publish (partition: the six; Corporate: none checked). */
  readonly requiredOutputs: readonly string[];
}

export function partitionTarget(platform: Platform, p: Partition, entry: MailContextEntry): VerifyTarget {
  return { label: `${p.infrastructure}/${p.name}`, sendingDomain: partitionDomain(platform, p), entry, dmarcReportMailbox: platform.dmarcReportMailbox, requiredOutputs: PARTITION_OUTPUTS };
}

export function corporateTarget(platform: Platform, entry: MailContextEntry): VerifyTarget {
  return { label: "corporate", sendingDomain: corporateDomain(platform), entry, dmarcReportMailbox: platform.dmarcReportMailbox, requiredOutputs: [] };
}

export interface VerifyOptions {
  readonly dns: DnsReader;
  readonly postmark?: PostmarkDomainVerifier;
  readonly outputs?: OutputsSource;
  /** Bounded retries of the Postmark verify calls. */
  readonly attempts?: number;
  readonly delayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const q = (s: string): string => JSON.stringify(s);

async function seenOf<T>(f: () => Promise<T[]>): Promise<{ values: T[]; error?: string }> {
  try {
    return { values: await f() };
  } catch (e) {
    if (e instanceof LookupError) return { values: [], error: e.message };
    throw e;
  }
}

function describe(values: readonly string[], error?: string): string {
  if (error) return error;
  if (values.length === 0) return "nothing";
  return values.map(q).join(", ");
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && [...a].sort().join() === [...b].sort().join();

async function delegationCheck(dns: DnsReader, zone: string): Promise<CheckResult> {
  const parent = parentZoneOf(zone);
  const base = { check: "ns-delegation", subject: `${zone} NS (delegation in ${parent})`, expected: `${parent} delegates ${zone} to ≥ 2 name servers, the ones the zone serves itself` };
  let delegation: Delegation;
  try {
    delegation = await dns.delegation(zone);
  } catch (e) {
    if (e instanceof DelegationError || e instanceof LookupError) return { ...base, ok: false, seen: e.message };
    throw e;
  }
  const apex = await seenOf(() => dns.ns(zone));
  const delegated = `${parent} (${delegation.server}) delegates to ${delegation.nameServers.length}: ${delegation.nameServers.join(", ")}`;
  const note = delegation.sharedServer ? "one DNS server serves both the parent and the zone: the delegation was read from the zone's own NS" : undefined;
  if (apex.error) return { ...base, ok: false, seen: `${delegated}; the zone itself: ${apex.error}`, note };
  const same = sameSet(delegation.nameServers, apex.values);
  return {
    ...base,
    ok: delegation.nameServers.length >= 2 && same,
    seen: same ? delegated : `${delegated}; but the zone serves ${apex.values.length}: ${apex.values.join(", ")}`,
    note,
  };
}

export async function verifyDomain(target: VerifyTarget, opts: VerifyOptions): Promise<VerifyReport> {
  const e = target.entry;
  const pl = placementOfEntry(target.sendingDomain, e, target.dmarcReportMailbox);
  const checks: CheckResult[] = [];
  const dns = opts.dns;

  // NS delegation, read from the parent's own server: ≥ 2 name servers, and the same ones the
  // zone serves at its apex (a zone re-created under new name servers leaves a stale delegation).
  checks.push(await delegationCheck(dns, pl.zoneName));

  const txtCheck = async (check: string, name: string, expected: string, pick: (v: string) => boolean): Promise<void> => {
    const got = await seenOf(() => dns.txt(name));
    const relevant = got.values.filter(pick);
    const ok = relevant.length === 1 && relevant[0] === expected;
    checks.push({
      check,
      subject: `${name} TXT`,
      ok,
      expected: q(expected),
      seen: got.error ?? (relevant.length ? describe(relevant) : `no matching TXT (all: ${describe(got.values)})`),
      note: relevant.length > 1 ? `${relevant.length} competing records` : undefined,
    });
  };
  await txtCheck("spf", pl.spf.name, pl.spf.value, (v) => v.startsWith("v=spf1"));
  await txtCheck("dmarc", pl.dmarc.name, pl.dmarc.value, (v) => v.startsWith("v=DMARC1"));
  // Byte-identical: the joined character-strings must equal the context value exactly.
  await txtCheck("dkim", pl.dkim.name, pl.dkim.value, () => true);
  // During a rotation the pending (or revoked) key must be served too, just as exactly.
  for (const k of pl.rotationDkim) await txtCheck(`dkim-${k.role}`, k.name, k.value, () => true);

  const rp = await seenOf(() => dns.cname(pl.returnPath.name));
  checks.push({
    check: "return-path",
    subject: `${pl.returnPath.name} CNAME`,
    ok: rp.values.length === 1 && rp.values[0] === pl.returnPath.target.toLowerCase().replace(/\.$/, ""),
    expected: q(pl.returnPath.target),
    seen: describe(rp.values, rp.error),
  });

  // Postmark verifies against the same public records: once the DNS checks have failed, its
  // verify calls can only fail too (and each retry costs the delay) — they are not made.
  const dnsFailed = checks.filter((c) => !c.ok).map((c) => c.check);
  if (opts.postmark && dnsFailed.length) {
    for (const check of ["postmark-dkim", "postmark-return-path"]) {
      checks.push({
        check,
        subject: `Postmark domain ${e.domainId}`,
        ok: false,
        expected: "verified",
        seen: `not asked: the DNS checks failed (${dnsFailed.join(", ")}); Postmark reads the same records`,
        note: "skipped",
      });
    }
  } else if (opts.postmark) {
    const attempts = Math.max(1, opts.attempts ?? 5);
    const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const pm = opts.postmark;
    const retry = async (check: string, call: (id: number) => Promise<DomainDetails>, done: (d: DomainDetails) => boolean, notYet: (d: DomainDetails) => string): Promise<void> => {
      let last = "no answer";
      for (let i = 1; i <= attempts; i++) {
        try {
          const d = await call(e.domainId);
          if (done(d)) {
            checks.push({ check, subject: `Postmark domain ${e.domainId} (${d.Name})`, ok: true, expected: "verified", seen: `verified (call ${i} of at most ${attempts})` });
            return;
          }
          last = notYet(d);
        } catch (err) {
          last = `error: ${(err as Error).message}`;
        }
        if (i < attempts) await sleep(opts.delayMs ?? 3000);
      }
      checks.push({ check, subject: `Postmark domain ${e.domainId}`, ok: false, expected: "verified", seen: `${last} after ${attempts} calls` });
    };
    // A published pending key is verified once Postmark has switched to it (DKIMVerified alone
    // stays true through a rotation).
    const pending = e.rotationKeys?.find((k) => k.role === "pending");
    const stillPending = (d: DomainDetails): boolean => pending !== undefined && d.DKIMPendingHost === pending.dkimHost;
    await retry(
      "postmark-dkim",
      (id) => pm.verifyDkim(id),
      (d) => d.DKIMVerified && !stillPending(d),
      (d) => (d.DKIMVerified && pending ? `rotation: Postmark has not switched to the pending key ${pending.dkimSelector} yet` : `pending (DKIMUpdateStatus ${d.DKIMUpdateStatus})`),
    );
    await retry(
      "postmark-return-path",
      (id) => pm.verifyReturnPath(id),
      (d) => d.ReturnPathDomainVerified,
      () => "not verified",
    );
  }

  if (opts.outputs && target.requiredOutputs.length) {
    const missing = target.requiredOutputs.filter((n) => !opts.outputs!.names.includes(n));
    checks.push({
      check: "outputs",
      subject: opts.outputs.kind === "plan" ? "planned outputs (offline: no applied state; names checked in the plan JSON)" : "stack outputs (state)",
      ok: missing.length === 0,
      expected: target.requiredOutputs.join(", "),
      seen: missing.length ? `missing: ${missing.join(", ")}` : `all ${target.requiredOutputs.length} present`,
    });
  }

  return { target: target.label, sendingDomain: target.sendingDomain, resolver: dns.source, ok: checks.every((c) => c.ok), checks };
}

/** Human lines: one per check, pass/fail, expected and seen. */
export function formatReport(r: VerifyReport): string {
  const lines = [`verify ${r.target} (${r.sendingDomain}) via ${r.resolver}: ${r.ok ? "PASS" : "FAIL"}`];
  for (const c of r.checks) {
    lines.push(`  ${c.ok ? "PASS" : "FAIL"} ${c.check.padEnd(20)} ${c.subject}`);
    lines.push(`       expected: ${c.expected}`);
    lines.push(`       seen:     ${c.seen}${c.note ? ` (${c.note})` : ""}`);
  }
  return lines.join("\n");
}
