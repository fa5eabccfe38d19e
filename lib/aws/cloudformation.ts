/**
 * CloudFormation reads the takeover needs: a stack's resources, its template, the account's exports
 * and who imports one. Read-only; every value is shape-checked before anyone uses it.
 */
import {
  CloudFormationClient,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListExportsCommand,
  ListImportsCommand,
} from "@aws-sdk/client-cloudformation";
import type { AwsClientSettings } from "./settings";

export interface StackResource {
  readonly logicalId: string;
  /** e.g. AWS::Route53::HostedZone */
  readonly type: string;
  readonly physicalId: string;
  readonly status: string;
}

export interface CfnExport {
  readonly name: string;
  readonly value: string;
  readonly exportingStackId: string;
}

const TYPE = /^[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+$|^Custom::[A-Za-z0-9_@-]+$/;
const LOGICAL_ID = /^[A-Za-z0-9]{1,255}$/;

function client(s: AwsClientSettings): CloudFormationClient {
  return new CloudFormationClient({ region: s.region, credentials: s.credentials, ...(s.endpoint ? { endpoint: s.endpoint } : {}) });
}

async function withClient<T>(s: AwsClientSettings, fn: (c: CloudFormationClient) => Promise<T>): Promise<T> {
  const c = client(s);
  try {
    return await fn(c);
  } finally {
    c.destroy();
  }
}

/** undefined when the stack does not exist. */
export async function describeStackStatus(s: AwsClientSettings, stackName: string): Promise<string | undefined> {
  return withClient(s, async (c) => {
    try {
      const r = await c.send(new DescribeStacksCommand({ StackName: stackName }));
      return r.Stacks?.[0]?.StackStatus;
    } catch (e) {
      if (/does not exist/.test((e as Error).message)) return undefined;
      throw e;
    }
  });
}

export async function describeStackResources(s: AwsClientSettings, stackName: string): Promise<StackResource[]> {
  return withClient(s, async (c) => {
    const r = await c.send(new DescribeStackResourcesCommand({ StackName: stackName }));
    return (r.StackResources ?? []).map((x) => {
      const logicalId = x.LogicalResourceId ?? "";
      const type = x.ResourceType ?? "";
      if (!LOGICAL_ID.test(logicalId) || !TYPE.test(type)) throw new Error(`CloudFormation ${stackName}: unexpected resource ${JSON.stringify(logicalId)} of type ${JSON.stringify(type)}`);
      return { logicalId, type, physicalId: x.PhysicalResourceId ?? "", status: x.ResourceStatus ?? "" };
    });
  });
}

export async function listExports(s: AwsClientSettings): Promise<CfnExport[]> {
  return withClient(s, async (c) => {
    const out: CfnExport[] = [];
    let token: string | undefined;
    do {
      const r = await c.send(new ListExportsCommand({ NextToken: token }));
      for (const e of r.Exports ?? []) if (e.Name && e.Value !== undefined) out.push({ name: e.Name, value: e.Value, exportingStackId: e.ExportingStackId ?? "" });
      token = r.NextToken;
    } while (token);
    return out;
  });
}

/** Stacks importing an export (CloudFormation answers an error when none does). */
export async function listImports(s: AwsClientSettings, exportName: string): Promise<string[]> {
  return withClient(s, async (c) => {
    const out: string[] = [];
    let token: string | undefined;
    try {
      do {
        const r = await c.send(new ListImportsCommand({ ExportName: exportName, NextToken: token }));
        out.push(...(r.Imports ?? []));
        token = r.NextToken;
      } while (token);
    } catch (e) {
      if (/is not imported by any stack/.test((e as Error).message)) return [];
      throw e;
    }
    return out;
  });
}

/** The stack's current template body (JSON or YAML text, as stored). */
export async function getTemplate(s: AwsClientSettings, stackName: string): Promise<string> {
  return withClient(s, async (c) => {
    const r = await c.send(new GetTemplateCommand({ StackName: stackName, TemplateStage: "Original" }));
    if (typeof r.TemplateBody !== "string") throw new Error(`CloudFormation ${stackName}: GetTemplate returned no body`);
    return r.TemplateBody;
  });
}
