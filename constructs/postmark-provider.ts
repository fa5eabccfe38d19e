import { TerraformStack, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { PostmarkProvider } from "../.gen/providers/postmark/provider";

/**
 * Our Postmark provider, configured from the sensitive token variable — never a literal. The API
 * URL is left to the provider's POSTMARK_API_URL fallback so the same stack targets the sandbox.
 */
export function postmarkProvider(scope: Construct, accountToken: TerraformVariable, source?: string): PostmarkProvider {
  const provider = new PostmarkProvider(scope, "postmark", { accountToken: accountToken.stringValue });
  // The bindings carry `arda-cards/postmark`; a published copy (e.g. a private registry) is the same
  // provider under another address (platform model `postmarkProviderSource`).
  if (source) TerraformStack.of(scope).addOverride("terraform.required_providers.postmark.source", source);
  return provider;
}
