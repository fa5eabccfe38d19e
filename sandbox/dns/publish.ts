/**
 * The sandbox's stand-in for Route53 apply: publish a synthesized stack's records into the local
 * DNS server (knotd). Each stack's records are kept in `<dir>/published/<stack>.json`; the zones
 * are rebuilt from all published stacks (a partition stack writes its own zone and the NS
 * delegation into the root zone) and reloaded. Works from any process that knows the directory.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { PublishDns } from "../../flows/deploy/types";
import type { Platform } from "../../platform/model";
import { withFileLock } from "../../lib/atomic-file";
import { reloadZones } from "./knot";
import { resolverFromEntries, type EntriesByDomain } from "./platform-zones";
import { assembleZones, recordsFromStack, type StackRecords } from "./zone";

export async function publishStack(dnsDir: string, platform: Platform, stack: string, stackDir: string, entries: EntriesByDomain): Promise<{ records: number; zones: string[] }> {
  const got = recordsFromStack(path.join(stackDir, "cdk.tf.json"), resolverFromEntries(entries));
  const pubDir = path.join(dnsDir, "published");
  fs.mkdirSync(pubDir, { recursive: true });
  return withFileLock(path.join(dnsDir, "publish"), async () => {
    fs.writeFileSync(path.join(pubDir, `${stack}.json`), JSON.stringify(got));
    const all: StackRecords[] = fs
      .readdirSync(pubDir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => JSON.parse(fs.readFileSync(path.join(pubDir, f), "utf8")) as StackRecords);
    const zoneNames = new Set<string>([platform.mailRootDomain]);
    all.forEach((s) => s.zones.forEach((z) => zoneNames.add(z)));
    const zones = assembleZones(
      [...zoneNames],
      all.flatMap((s) => s.records),
    );
    await reloadZones(dnsDir, zones);
    return { records: got.records.length, zones: got.zones };
  });
}

/** The deploy flow's rehearsal hook for a local DNS server in `dnsDir`. */
export function localDnsPublisher(dnsDir: string): PublishDns {
  return async ({ platform, stack, stackDir, entries }) => {
    const r = await publishStack(dnsDir, platform, stack, stackDir, entries);
    return `${r.records} synthesized records published to the local DNS server (stand-in for Route53)`;
  };
}
