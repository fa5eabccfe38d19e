/**
 * The one bridge from the CLI to rehearsal-only code: `deploy --local-dns <dir>` (a running local
 * DNS server of the sandbox) becomes the deploy flow's `publishDns` hook. A real deploy passes no
 * such flag, and no flow imports the sandbox. On a real apply against the sandbox's local AWS it
 * becomes `followDns` instead: the DNS serves what Route53 holds.
 */
import type { DnsFollowHook } from "../../flows/deploy/real";
import type { PublishDns } from "../../flows/deploy/types";
import type { Platform } from "../../platform/model";
import { attachedLocalAws, route53DnsHook } from "../../sandbox/aws/publish-dns";
import { localDnsPublisher } from "../../sandbox/dns/publish";

export function publishDnsFromFlag(localDnsDir: string | undefined): PublishDns | undefined {
  return localDnsDir ? localDnsPublisher(localDnsDir) : undefined;
}

/**
 * A real apply with `--local-dns <dir>` against the sandbox's local AWS (a loopback AWS_ENDPOINT_URL):
 * the local DNS serves what the local AWS's Route53 holds, while and after each stack applies.
 */
export function followDnsFromFlag(localDnsDir: string | undefined, platform: Platform, env: NodeJS.ProcessEnv): DnsFollowHook | undefined {
  const aws = localDnsDir ? attachedLocalAws(env) : undefined;
  return aws && localDnsDir ? route53DnsHook(aws, platform, localDnsDir) : undefined;
}
