/** IAM and Secrets Manager reads of the takeover: a role by name, a secret by name. */
import { GetRoleCommand, IAMClient, ListRolePoliciesCommand } from "@aws-sdk/client-iam";
import { DescribeSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { AwsClientSettings } from "./settings";

export interface LiveRole {
  readonly name: string;
  readonly arn: string;
  readonly inlinePolicies: string[];
}

export interface LiveSecret {
  readonly name: string;
  readonly arn: string;
  /** Version id staged AWSCURRENT, if any. */
  readonly currentVersionId?: string;
}

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ARN = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:[\w+=,.@:/-]+$/;

const notFound = (e: unknown): boolean => /NoSuchEntity|ResourceNotFound|cannot be found|can't find/i.test(`${(e as Error).name} ${(e as Error).message}`);
const opts = (s: AwsClientSettings) => ({ region: s.region, credentials: s.credentials, ...(s.endpoint ? { endpoint: s.endpoint } : {}) });

export async function getRole(s: AwsClientSettings, name: string): Promise<LiveRole | undefined> {
  if (!ROLE_NAME.test(name)) throw new Error(`not an IAM role name: ${JSON.stringify(name)}`);
  const c = new IAMClient(opts(s));
  try {
    const r = await c.send(new GetRoleCommand({ RoleName: name }));
    const arn = r.Role?.Arn ?? "";
    if (!ARN.test(arn)) throw new Error(`IAM GetRole ${name}: unexpected ARN ${JSON.stringify(arn)}`);
    const p = await c.send(new ListRolePoliciesCommand({ RoleName: name }));
    return { name, arn, inlinePolicies: p.PolicyNames ?? [] };
  } catch (e) {
    if (notFound(e)) return undefined;
    throw e;
  } finally {
    c.destroy();
  }
}

export async function describeSecret(s: AwsClientSettings, name: string): Promise<LiveSecret | undefined> {
  const c = new SecretsManagerClient(opts(s));
  try {
    const r = await c.send(new DescribeSecretCommand({ SecretId: name }));
    const arn = r.ARN ?? "";
    if (!ARN.test(arn)) throw new Error(`Secrets Manager ${name}: unexpected ARN ${JSON.stringify(arn)}`);
    const current = Object.entries(r.VersionIdsToStages ?? {}).find(([, stages]) => stages.includes("AWSCURRENT"))?.[0];
    return { name: r.Name ?? name, arn, ...(current ? { currentVersionId: current } : {}) };
  } catch (e) {
    if (notFound(e)) return undefined;
    throw e;
  } finally {
    c.destroy();
  }
}
