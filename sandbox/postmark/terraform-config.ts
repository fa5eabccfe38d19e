/**
 * The smallest Terraform configuration that exercises our Postmark provider against the sandbox:
 * one `postmark_domain`, the account token as a sensitive variable (`TF_VAR_postmark_token`). The
 * provider's standalone test and the provider benchmark both apply it.
 */
import { POSTMARK_PROVIDER_VERSION } from "../../lib/remote-run";

/** `main.tf.json` for one domain `domain` on the Postmark API at `apiUrl`. */
export function oneDomainConfiguration(apiUrl: string, domain: string): Record<string, unknown> {
  return {
    terraform: { required_providers: { postmark: { source: "arda-cards/postmark", version: POSTMARK_PROVIDER_VERSION } } },
    variable: { postmark_token: { type: "string", sensitive: true } },
    provider: { postmark: { account_token: "${var.postmark_token}", api_url: apiUrl } },
    resource: { postmark_domain: { d: { name: domain } } },
  };
}
