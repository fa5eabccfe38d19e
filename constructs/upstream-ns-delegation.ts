import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Route53Zone } from "@cdktf/provider-aws/lib/route53-zone";
import { Construct } from "constructs";
import { terraformLiteral as lit } from "./terraform-literal";

export interface UpstreamNsDelegationProps {
  /** The child zone whose name servers are published upstream. */
  readonly zone: Route53Zone;
  readonly zoneName: string;
  /** The parent (mail root) zone id, from the model (escaped by the caller) — no cross-stack lookup needed. */
  readonly parentZoneId: string;
  /** The aliased provider that assumes the Root DNS-records role. */
  readonly upstreamProvider: AwsProvider;
  readonly ttl?: number;
}

/**
 * The child zone's owner writes its own NS delegation into the parent zone (DQ-R1-006), through
 * the assumed Root role — a plain Terraform resource on an aliased provider, no Lambda, no custom
 * resource.
 */
export class UpstreamNsDelegation extends Construct {
  readonly record: Route53Record;

  constructor(scope: Construct, id: string, props: UpstreamNsDelegationProps) {
    super(scope, id);
    this.record = new Route53Record(this, "ns", {
      provider: props.upstreamProvider,
      zoneId: props.parentZoneId,
      name: lit(props.zoneName),
      type: "NS",
      ttl: props.ttl ?? 3600,
      records: props.zone.nameServers,
      allowOverwrite: false,
    });
  }
}
