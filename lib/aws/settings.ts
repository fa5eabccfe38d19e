/**
 * How an AWS SDK client reaches one account: region, credentials and (for the local AWS of the
 * sandbox) an endpoint. Production builds it from an AWS config profile; the sandbox supplies its
 * own through the same shape, so reading code never knows which it talks to.
 */
import { fromIni } from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@aws-sdk/types";

export interface AwsClientSettings {
  readonly region: string;
  readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Only for emulators; real AWS uses the SDK's own endpoints. */
  readonly endpoint?: string;
}

/** Settings for one model profile (the account a stack lives in). */
export type AccountSettings = (profile: string, region: string) => Promise<AwsClientSettings>;

export const profileSettings: AccountSettings = async (profile, region) => ({ region, credentials: fromIni({ profile }) });

/** Static credentials from a provider, once (the Route53 signer needs them as values). */
export async function resolveCredentials(s: AwsClientSettings): Promise<AwsCredentialIdentity> {
  return typeof s.credentials === "function" ? s.credentials() : s.credentials;
}
