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
  UpdateStackCommand,
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

/** A CloudFormation template as the takeover edits it (JSON templates only: CDK writes JSON). */
export interface CfnTemplate {
  Resources: Record<string, { Type: string; Properties?: unknown; DeletionPolicy?: string; UpdateReplacePolicy?: string; [k: string]: unknown }>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown }; Description?: string }>;
  [k: string]: unknown;
}

/**
 * The CloudFormation operations the detach half needs, behind one interface: real CloudFormation
 * (below), or the sandbox's stand-in that follows the documented semantics moto 5.2.1 does not.
 */
export interface CloudFormationOps {
  /** undefined when no stack has that name. */
  describeStack(stackName: string): Promise<{ status: string; resources: StackResource[] } | undefined>;
  getTemplate(stackName: string): Promise<CfnTemplate>;
  /** "no-changes" when CloudFormation had nothing to do. */
  updateStack(stackName: string, template: CfnTemplate): Promise<"updated" | "no-changes">;
  listExports(): Promise<Array<{ name: string; value: string; exportingStack: string }>>;
  listImports(exportName: string): Promise<string[]>;
}

export function parseTemplate(body: string, stackName: string): CfnTemplate {
  let t: unknown;
  try {
    t = JSON.parse(body);
  } catch {
    throw new Error(`CloudFormation ${stackName}: the template is not JSON (a YAML template is not supported by the takeover)`);
  }
  if (!t || typeof t !== "object" || typeof (t as CfnTemplate).Resources !== "object") throw new Error(`CloudFormation ${stackName}: the template has no Resources`);
  return t as CfnTemplate;
}

const DONE = /_COMPLETE$/;
const FAILED = /FAILED|ROLLBACK/;

/** Real CloudFormation: UpdateStack, then wait until the stack settles. */
export function awsCloudFormationOps(s: AwsClientSettings, opts: { pollMs?: number; timeoutMs?: number } = {}): CloudFormationOps {
  return {
    async describeStack(stackName) {
      const status = await describeStackStatus(s, stackName);
      return status ? { status, resources: await describeStackResources(s, stackName) } : undefined;
    },
    async getTemplate(stackName) {
      return parseTemplate(await getTemplate(s, stackName), stackName);
    },
    async updateStack(stackName, template) {
      return withClient(s, async (c) => {
        try {
          await c.send(new UpdateStackCommand({ StackName: stackName, TemplateBody: JSON.stringify(template), Capabilities: ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"] }));
        } catch (e) {
          if (/No updates are to be performed/.test((e as Error).message)) return "no-changes" as const;
          throw e;
        }
        const deadline = Date.now() + (opts.timeoutMs ?? 30 * 60_000);
        for (;;) {
          const st = (await c.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0]?.StackStatus ?? "";
          if (FAILED.test(st) && DONE.test(st)) throw new Error(`CloudFormation ${stackName}: update ended ${st}`);
          if (DONE.test(st) && !/IN_PROGRESS/.test(st)) return "updated" as const;
          if (Date.now() > deadline) throw new Error(`CloudFormation ${stackName}: still ${st} after the timeout`);
          await new Promise((r) => setTimeout(r, opts.pollMs ?? 5000));
        }
      });
    },
    async listExports() {
      return (await listExports(s)).map((e) => ({ name: e.name, value: e.value, exportingStack: stackNameOfId(e.exportingStackId) }));
    },
    listImports: (name) => listImports(s, name),
  };
}

/** `arn:aws:cloudformation:…:stack/<name>/<uuid>` → `<name>` */
export function stackNameOfId(id: string): string {
  return /:stack\/([^/]+)\//.exec(id)?.[1] ?? id;
}
