/**
 * The sandbox as `register` and a deploy leave it, for tests that verify or look for drift: every
 * sending domain registered with the Postmark sandbox, its records (from the placement function)
 * served by Knot DNS, and Postmark's DKIM and Return-Path checks passed. Used only by `*.test.ts`.
 */
import { corporateTarget, partitionTarget, registerDomain } from "../flows/register";
import { PostmarkClient } from "../lib/postmark/client";
import { corporateContextKey, partitionContextKey, readContext, requireMailEntry, type MailContextEntry } from "../platform/mail-context";
import type { Platform } from "../platform/model";
import { activePartitions, corporateDomain, partitionDomain } from "../platform/names";
import type { SandboxEnvironment } from "../sandbox/env";
import { zonesFromPlacement } from "../sandbox/dns/platform-zones";
import type { Zone } from "../sandbox/dns/zone";

/** Register the Corporate domain and every active partition, serve their zones, verify them; returns the zones served. */
export async function registerAndServe(env: SandboxEnvironment, platform: Platform): Promise<Zone[]> {
  if (!env.dns) throw new Error("this test needs Knot DNS (apt-get install knot)");
  const client = new PostmarkClient({ accountToken: env.sandbox.accountToken, apiUrl: env.sandbox.url });
  for (const t of [corporateTarget(platform), ...activePartitions(platform).map((p) => partitionTarget(platform, p.infrastructure, p.name))]) {
    await registerDomain({ target: t, client, contextFile: env.contextFile, dryRun: false, update: false, progress: () => undefined });
  }
  const ctx = readContext(env.contextFile);
  const entries = new Map<string, MailContextEntry>([[corporateDomain(platform), requireMailEntry(ctx, corporateContextKey(platform), corporateDomain(platform), env.contextFile)]]);
  for (const p of activePartitions(platform)) entries.set(partitionDomain(platform, p), requireMailEntry(ctx, partitionContextKey(p), partitionDomain(platform, p), env.contextFile));
  const zones = zonesFromPlacement(platform, entries);
  await env.dns.update(zones);
  // Postmark marks a domain verified once its records are served (first verifyDkim still pending).
  for (const e of entries.values()) {
    for (let i = 0; i < 3; i++) await client.verifyDkim(e.domainId);
    await client.verifyReturnPath(e.domainId);
  }
  return zones;
}
