import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Construct } from "constructs";
import { route53TxtRecord } from "../platform/placement";
import { terraformLiteral as lit } from "./terraform-literal";

export interface MailPolicyRecordsProps {
  readonly zoneId: string;
  readonly spf: { readonly name: string; readonly value: string };
  readonly dmarc: { readonly name: string; readonly value: string };
  readonly ttl?: number;
}

/** SPF at the domain apex and DMARC at `_dmarc.<domain>`; values (literals) come from the placement module. */
export class MailPolicyRecords extends Construct {
  readonly spf: Route53Record;
  readonly dmarc: Route53Record;

  constructor(scope: Construct, id: string, props: MailPolicyRecordsProps) {
    super(scope, id);
    const ttl = props.ttl ?? 3600;
    this.spf = new Route53Record(this, "spf", { zoneId: props.zoneId, name: lit(props.spf.name), type: "TXT", ttl, records: [lit(route53TxtRecord(props.spf.value))] });
    this.dmarc = new Route53Record(this, "dmarc", { zoneId: props.zoneId, name: lit(props.dmarc.name), type: "TXT", ttl, records: [lit(route53TxtRecord(props.dmarc.value))] });
  }
}
