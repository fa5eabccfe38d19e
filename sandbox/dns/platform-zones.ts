/**
 * The zones of a whole platform, two ways:
 * - `zonesFromSynth()` — from the synthesized stacks' `aws_route53_record` resources (what
 *   Terraform would create), the authoritative source for the DNS server in tests and the demo;
 * - `zonesFromPlacement()` — from the model + `sendingDomainPlacement()` + the register values:
 *   what the records must be. Drift compares DNS against this.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { placementOfEntry, type MailContextEntry } from "../../platform/mail-context";
import type { Platform } from "../../platform/model";
import { activePartitions, corporateDomain, partitionDomain } from "../../platform/names";
import { dmarcPolicy, ROOT_SPF, route53TxtRecord } from "../../platform/placement";
import { assembleZones, fabricatedNameServers, recordsFromStack, type ExpressionResolver, type StackRecords, type Zone } from "./zone";

/** A sending domain's register values, keyed by the sending domain (`dev.ardamails.com`). */
export type EntriesByDomain = ReadonlyMap<string, MailContextEntry>;

/** Every zone name of the platform: the mail root, Corporate, each active partition. */
export function platformZoneNames(platform: Platform): string[] {
  return [platform.mailRootDomain, corporateDomain(platform), ...activePartitions(platform).map((p) => partitionDomain(platform, p))];
}

export function zonesFromPlacement(platform: Platform, entries: EntriesByDomain): Zone[] {
  const root = platform.mailRootDomain;
  const records: StackRecords["records"] = [
    { name: root, type: "TXT", ttl: 300, values: [ROOT_SPF], resourceId: "root_spf" },
    { name: `_dmarc.${root}`, type: "TXT", ttl: 300, values: [dmarcPolicy(platform.dmarcReportMailbox)], resourceId: "root_dmarc" },
  ];
  for (const domain of platformZoneNames(platform).slice(1)) {
    records.push({ name: domain, type: "NS", ttl: 172800, values: fabricatedNameServers(domain), resourceId: `${domain}_delegation` });
    const e = entries.get(domain);
    if (!e) continue;
    const pl = placementOfEntry(domain, e, platform.dmarcReportMailbox);
    records.push(
      { name: pl.spf.name, type: "TXT", ttl: 300, values: [pl.spf.value], resourceId: `${domain}_spf` },
      { name: pl.dmarc.name, type: "TXT", ttl: 300, values: [pl.dmarc.value], resourceId: `${domain}_dmarc` },
      { name: pl.dkim.name, type: "TXT", ttl: 300, values: [route53TxtRecord(pl.dkim.value)], resourceId: `${domain}_dkim` },
      { name: pl.returnPath.name, type: "CNAME", ttl: 300, values: [pl.returnPath.target], resourceId: `${domain}_return_path` },
      ...pl.rotationDkim.map((k) => ({ name: k.name, type: "TXT" as const, ttl: 300, values: [route53TxtRecord(k.value)], resourceId: `${domain}_dkim_${k.role}` })),
    );
  }
  return assembleZones(platformZoneNames(platform), records);
}

/**
 * Values a synthesized record holds only as an expression offline (provider-path DKIM and
 * Return-Path: `${postmark_domain.x.dkim_text_value}`), taken from the register values instead.
 */
export function resolverFromEntries(entries: EntriesByDomain): ExpressionResolver {
  return (_expr, rec) => {
    for (const [domain, e] of entries) {
      if (rec.type === "TXT" && rec.name.endsWith(`._domainkey.${domain}`)) return [route53TxtRecord(e.dkimPublicKey)];
      if (rec.type === "CNAME" && rec.name === e.returnPathDomain) return [e.returnPathTarget];
    }
    return undefined;
  };
}

/**
 * Zones from every synthesized stack under `stacksDir` (`cdktf.out/stacks`). Expressions the
 * synthesized JSON cannot resolve offline (provider-path DKIM) are resolved from `entries`.
 */
export function zonesFromSynth(platform: Platform, stacksDir: string, entries: EntriesByDomain): Zone[] {
  const resolve = resolverFromEntries(entries);
  const all: StackRecords["records"] = [];
  const zoneNames = new Set(platformZoneNames(platform));
  for (const stack of fs.readdirSync(stacksDir)) {
    const file = path.join(stacksDir, stack, "cdk.tf.json");
    if (!fs.existsSync(file)) continue;
    const got = recordsFromStack(file, resolve);
    got.zones.forEach((z) => zoneNames.add(z));
    all.push(...got.records);
  }
  return assembleZones([...zoneNames], all);
}
