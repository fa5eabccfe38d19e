/**
 * AWS SDK client settings for one profile of the local AWS: the profile's role assumed through
 * moto's STS, so the client acts in that profile's account (as Terraform does with the same file).
 */
import * as fs from "node:fs";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import type { LocalAws } from "./local-aws";

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface ClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: AwsCredentials;
}

/** `[profile X]` settings of the local AWS config file (written by startLocalAws; sandbox-only). */
function profileSettings(configFile: string, profile: string): Record<string, string> {
  let current: string | undefined;
  const out: Record<string, Record<string, string>> = {};
  for (const raw of fs.readFileSync(configFile, "utf8").split("\n")) {
    const line = raw.trim();
    const section = /^\[profile ([^\]]+)\]$/.exec(line);
    if (section) current = section[1];
    const kv = /^([a-z_]+) = (.*)$/.exec(line);
    if (kv && current) (out[current] ??= {})[kv[1]] = kv[2];
  }
  const settings = out[profile];
  if (!settings) throw new Error(`profile "${profile}" is not in the local AWS config ${configFile} (known: ${Object.keys(out).join(", ")})`);
  return settings;
}

export async function clientConfig(aws: LocalAws, profile: string): Promise<ClientConfig> {
  const settings = profileSettings(aws.configFile, profile);
  const region = settings.region ?? "us-east-1";
  if (!settings.role_arn) {
    return { endpoint: aws.endpoint, region, credentials: { accessKeyId: settings.aws_access_key_id, secretAccessKey: settings.aws_secret_access_key } };
  }
  const base = profileSettings(aws.configFile, settings.source_profile);
  const sts = new STSClient({ endpoint: aws.endpoint, region, credentials: { accessKeyId: base.aws_access_key_id, secretAccessKey: base.aws_secret_access_key } });
  try {
    const r = await sts.send(new AssumeRoleCommand({ RoleArn: settings.role_arn, RoleSessionName: settings.role_session_name ?? "arda-mail-sandbox" }));
    const c = r.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`local AWS: AssumeRole ${settings.role_arn} returned no credentials`);
    return { endpoint: aws.endpoint, region, credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken } };
  } finally {
    sts.destroy();
  }
}
