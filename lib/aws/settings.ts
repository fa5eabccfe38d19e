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
  /** Only for emulators; real AWS uses the SDK's own endpoints (and without it, Route53 calls use AWS_ENDPOINT_URL[_ROUTE_53]). */
  readonly endpoint?: string;
}

/** Settings for one model profile (the account a stack lives in). */
export type AccountSettings = (profile: string, region: string) => Promise<AwsClientSettings>;

/**
 * The endpoint an emulator gives through the SDK's own settings: `AWS_ENDPOINT_URL_<SERVICE>`, then
 * `AWS_ENDPOINT_URL`. Read here, once, and checked (an http(s) URL: scheme, host and port only) —
 * the SDK's clients and the hand-signed Route53 calls (lib/aws/route53.ts) all get it from here.
 */
export function endpointFromEnvironment(service?: "SECRETS_MANAGER" | "STS" | "ROUTE_53", env: NodeJS.ProcessEnv = process.env): string | undefined {
  const name = service && env[`AWS_ENDPOINT_URL_${service}`] ? `AWS_ENDPOINT_URL_${service}` : "AWS_ENDPOINT_URL";
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol) || url.username || url.password || url.search || url.hash || (url.pathname !== "/" && url.pathname !== "")) {
    throw new Error(`${name} ${JSON.stringify(raw.slice(0, 200))} is not an http(s) endpoint URL (scheme, host and port only)`);
  }
  return url.origin;
}

/**
 * No `endpoint`: the SDK's clients find an emulator's endpoint themselves (service-specific first),
 * and the hand-signed Route53 calls read it from the environment (lib/aws/route53.ts).
 */
export const profileSettings: AccountSettings = async (profile, region) => {
  const sts = endpointFromEnvironment("STS");
  // Role assumption (the sandbox's profiles, and SSO-less real ones) goes to STS at the emulator's endpoint too.
  return { region, credentials: fromIni({ profile, clientConfig: { region, ...(sts ? { endpoint: sts } : {}) } }) };
};

/** Static credentials from a provider, once (the Route53 signer needs them as values). */
export async function resolveCredentials(s: AwsClientSettings): Promise<AwsCredentialIdentity> {
  return typeof s.credentials === "function" ? s.credentials() : s.credentials;
}
