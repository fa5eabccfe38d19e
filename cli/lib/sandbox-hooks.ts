/**
 * The one bridge from the CLI to rehearsal-only code: `deploy --local-dns <dir>` (a running local
 * DNS server of the sandbox) becomes the deploy flow's `publishDns` hook. A real deploy passes no
 * such flag, and no flow imports the sandbox.
 */
import type { PublishDns } from "../../flows/deploy/types";
import { localDnsPublisher } from "../../sandbox/dns/publish";

export function publishDnsFromFlag(localDnsDir: string | undefined): PublishDns | undefined {
  return localDnsDir ? localDnsPublisher(localDnsDir) : undefined;
}
