/**
 * The sandbox's DNS while and after a stack applies: the zones it owns and the root zone (where its
 * delegation lives), read back from the local AWS's Route53 with the model's profiles and served by
 * the Knot tree — so Postmark's DKIM check during apply, and verify after it, read what Route53
 * holds, not the synthesized expressions. Route53's own name servers serve a record once it is
 * INSYNC; the follower polls at about that pace.
 */
import type { Platform } from "../../platform/model";
import { infrastructure, rootInfrastructure, ROOT_STACK } from "../../platform/names";
import { publishRoute53Zones, type Route53Zone } from "../dns/route53-zones";
import { clientConfig } from "./clients";
import { readRecordSets, type LocalAws } from "./moto";
import { listZones } from "./route53";

/** The zone-id output of each kind of stack (from state). */
const ZONE_OUTPUTS = ["MailRootZoneId", "CorporateMailZoneId", "PartitionMailZoneId"] as const;

export interface FollowedStack {
  readonly stack: string;
  /** The account the stack is applied in. */
  readonly infrastructure: string;
  /** The stack's own zone (the sending domain; the mail root for Root). */
  readonly zoneName: string;
}

export interface DnsFollower {
  /** Publish once more from the applied stack's outputs (zone ids from state) and stop following. */
  stop(outputs?: Readonly<Record<string, unknown>>): Promise<string>;
}

const POLL_MS = 2000;

export function route53DnsHook(aws: LocalAws, platform: Platform, dnsDir: string): (s: FollowedStack) => DnsFollower {
  const rootProfile = rootInfrastructure(platform).awsProfile!;
  const read = async (zones: ReadonlyArray<{ profile: string; id: string }>): Promise<Route53Zone[]> => {
    const out: Route53Zone[] = [];
    for (const z of zones) {
      const sets = await readRecordSets(aws, z.profile, z.id);
      const apex = sets.find((s) => s.type === "SOA")?.name;
      if (apex) out.push({ name: apex, recordSets: sets });
    }
    return out;
  };
  return (s) => {
    const profile = infrastructure(platform, s.infrastructure).awsProfile!;
    const root = { profile: rootProfile, id: platform.rootZone.id };
    let last = "";
    let stopped = false;
    const publish = async (zones: ReadonlyArray<{ profile: string; id: string }>): Promise<{ zones: string[]; records: number }> => {
      const got = await read(zones);
      const key = JSON.stringify(got);
      if (key === last) return { zones: got.map((z) => z.name), records: got.reduce((n, z) => n + z.recordSets.length, 0) };
      last = key;
      return publishRoute53Zones(dnsDir, got);
    };
    // While applying: the stack's zone by name in its account (one only: two would be the duplicate-zone bug, settled from state at stop).
    const tick = async (): Promise<void> => {
      const own = s.stack === ROOT_STACK ? [] : (await listZones(await clientConfig(aws, profile))).filter((z) => z.name === s.zoneName);
      await publish([root, ...(own.length === 1 ? [{ profile, id: own[0].id }] : [])]);
    };
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<void> = Promise.resolve();
    const loop = (): void => {
      timer = setTimeout(() => {
        running = tick()
          .catch(() => undefined) // a transient read error: the next tick or stop() publishes
          .then(() => {
            if (!stopped) loop();
          });
      }, POLL_MS);
    };
    loop();
    return {
      async stop(outputs = {}): Promise<string> {
        stopped = true;
        if (timer) clearTimeout(timer);
        await running;
        const ids = ZONE_OUTPUTS.map((o) => outputs[o]).filter((v): v is string => typeof v === "string" && v.length > 0 && v !== root.id);
        const r = await publish([root, ...ids.map((id) => ({ profile, id }))]);
        return `${r.records} record sets of ${r.zones.join(", ")} read back from the local AWS's Route53, served by the local DNS`;
      },
    };
  };
}

/**
 * A local AWS started by another process (the sandbox environment of a test or rehearsal), as
 * `arda-mail deploy --local-dns` finds it: its endpoint and config file from the environment.
 * reset() and stop() belong to the process that started it.
 */
export function attachedLocalAws(env: NodeJS.ProcessEnv): LocalAws | undefined {
  const endpoint = env.AWS_ENDPOINT_URL;
  const configFile = env.AWS_CONFIG_FILE;
  if (!endpoint || !configFile || !/^http:\/\/127\.0\.0\.1:\d+$/.test(endpoint)) return undefined;
  const notOurs = async (): Promise<void> => {
    throw new Error(`the local AWS at ${endpoint} belongs to the process that started it`);
  };
  return { endpoint, configFile, env: {}, reset: notOurs, stop: notOurs };
}
