import { TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { PostmarkProvider } from "../.gen/providers/postmark/provider";

/**
 * Our Postmark provider, configured from the sensitive token variable — never a literal. The API
 * URL is left to the provider's POSTMARK_API_URL fallback so the same stack targets the sandbox.
 */
export function postmarkProvider(scope: Construct, accountToken: TerraformVariable): PostmarkProvider {
  return new PostmarkProvider(scope, "postmark", { accountToken: accountToken.stringValue });
}
