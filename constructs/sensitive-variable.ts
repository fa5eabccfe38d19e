import { TerraformVariable } from "cdktf";
import { Construct } from "constructs";

/**
 * A secret input of a stack: sensitive (redacted in plans), ephemeral (kept out of saved plan files
 * and state), no default. Values arrive only through the environment (`TF_VAR_<name>`).
 */
export function sensitiveVariable(scope: Construct, name: string, description: string, validation?: { readonly condition: string; readonly errorMessage: string }): TerraformVariable {
  const v = new TerraformVariable(scope, name, {
    type: "string",
    sensitive: true,
    nullable: false,
    description,
    ...(validation ? { validation: [{ condition: validation.condition, errorMessage: validation.errorMessage }] } : {}),
  });
  // CDKTF 0.21 has no `ephemeral` flag.
  v.addOverride("ephemeral", true);
  return v;
}

/** The variable every stack with a Postmark sending domain (or the token secret) reads. */
export const POSTMARK_TOKEN_VARIABLE = "postmark_account_token";

export function postmarkAccountTokenVariable(scope: Construct, accountName: string): TerraformVariable {
  return sensitiveVariable(scope, POSTMARK_TOKEN_VARIABLE, `Postmark account token of ${accountName} (from 1Password; never written to state).`);
}
