import type { Platform } from "../platform/model";
import { rootInfrastructure } from "../platform/names";

/** ARN of the Root DNS-records role (deterministic name: child stacks assume it by ARN). */
export function upstreamDnsRoleArn(platform: Platform): string {
  return `arn:aws:iam::${rootInfrastructure(platform).accountId}:role/${platform.dnsRecordsRoleName}`;
}
