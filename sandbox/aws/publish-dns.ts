/**
 * The sandbox's DNS after each applied stack: the zones it owns and the root zone (where its
 * delegation lives), read back from the local AWS's Route53 with the model's profiles, served by
 * the Knot tree — so verify reads what was applied, not the synthesized expressions.
 */
import type { Platform } from "../../platform/model";
import { infrastructure, rootInfrastructure, ROOT_STACK } from "../../platform/names";
import { publishRoute53Zones, type Route53Zone } from "../dns/route53-zones";
import { readRecordSets, type LocalAws } from "./moto";

/** The zone-id output of each kind of stack (stacks/*: one fact, read from state). */
const ZONE_OUTPUTS = ["MailRootZoneId", "CorporateMailZoneId", "PartitionMailZoneId"] as const;

export interface AppliedStack {
  readonly stack: string;
  /** The account the stack was applied in. */
  readonly infrastructure: string;
  /** Outputs from state. */
  readonly outputs: Readonly<Record<string, unknown>>;
}

export function route53Publisher(aws: LocalAws, platform: Platform, dnsDir: string): (applied: AppliedStack) => Promise<string> {
  return async (applied) => {
    const rootProfile = rootInfrastructure(platform).awsProfile!;
    const profile = infrastructure(platform, applied.infrastructure).awsProfile!;
    const zones: Array<{ profile: string; id: string }> = [];
    for (const o of ZONE_OUTPUTS) {
      const id = applied.outputs[o];
      if (typeof id === "string" && id) zones.push({ profile, id });
    }
    if (applied.stack !== ROOT_STACK) zones.push({ profile: rootProfile, id: platform.rootZone.id });
    if (zones.length === 0) throw new Error(`${applied.stack}: no zone id among its outputs (${ZONE_OUTPUTS.join(", ")})`);
    const read: Route53Zone[] = [];
    for (const z of zones) {
      const sets = await readRecordSets(aws, z.profile, z.id);
      const apex = sets.find((s) => s.type === "SOA")?.name;
      if (!apex) throw new Error(`zone ${z.id} (${z.profile}) has no SOA record set`);
      read.push({ name: apex, recordSets: sets });
    }
    const r = await publishRoute53Zones(dnsDir, read);
    return `${r.records} record sets of ${r.zones.join(", ")} read back from the local AWS's Route53 and served by the local DNS`;
  };
}
