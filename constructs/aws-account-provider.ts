import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import type { Infrastructure } from "../platform/model";
import { terraformLiteral as lit } from "./terraform-literal";

/**
 * The stack's own AWS provider, pinned to its account with `allowed_account_ids`: a deploy run
 * with the wrong profile (the operator log's first failure) stops before any change. Root opts out
 * of default tags: adopting the registrar's zone must stay a read-only import (DQ-R1-008).
 */
export function accountProvider(scope: Construct, infra: Infrastructure, platformName: string, opts: { tagResources?: boolean } = {}): AwsProvider {
  return new AwsProvider(scope, "aws", {
    region: lit(infra.region),
    allowedAccountIds: [lit(infra.accountId)],
    ...(opts.tagResources === false ? {} : { defaultTags: [{ tags: { "arda:managed-by": "arda-mail", "arda:platform": lit(platformName), "arda:infrastructure": lit(infra.name) } }] }),
  });
}

/**
 * An aliased provider that assumes the Root account's DNS-records role, used to write NS
 * delegations into the mail root zone (DQ-R1-006; also same-account, DQ-R1-010). The role ARN is a
 * variable whose default comes from the model; `assume_role` is a dynamic block so an offline plan
 * (which empties the variable through an override file) makes no STS call.
 */
export function upstreamDnsProvider(scope: Construct, args: { region: string; rootAccountId: string; roleArn: string; sessionName: string }): AwsProvider {
  const roleArn = new TerraformVariable(scope, "upstream_dns_role_arn", {
    type: "string",
    // A variable's default is not a template: the ARN goes in as it is (no escape).
    default: args.roleArn,
    description: "Role in the Root account that may write NS delegations into the mail root zone.",
  });
  const provider = new AwsProvider(scope, "aws_upstream_dns", {
    alias: "upstream_dns",
    region: lit(args.region),
    allowedAccountIds: [lit(args.rootAccountId)],
  });
  // Rendered as `dynamic "assume_role" { for_each = var.upstream_dns_role_arn == "" ? [] : [...] }`.
  provider.addOverride("dynamic.assume_role", {
    for_each: `\${var.${roleArn.friendlyUniqueId} == "" ? [] : [var.${roleArn.friendlyUniqueId}]}`,
    content: { role_arn: "${assume_role.value}", session_name: lit(args.sessionName) },
  });
  return provider;
}
