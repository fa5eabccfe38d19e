/**
 * A CloudFormation stand-in for the takeover's detach half, following CloudFormation's documented
 * semantics where moto 5.2.1 is not faithful (issue 12's measured facts):
 * - a resource removed from the template by an update is deleted, unless its DeletionPolicy in the
 *   stack's current template is Retain — then CloudFormation only forgets it;
 * - an update that changes only DeletionPolicy / UpdateReplacePolicy leaves every resource untouched
 *   (`policyOnlyUpdatesAreNoOps` models the real CloudFormation that answered "no changes" instead);
 * - an export another stack imports can be neither changed nor removed: "Export <name> cannot be
 *   updated as it is in use by <stack>" / "… cannot be deleted …", and the update is rolled back;
 * - ListImports names the importing stacks, or fails "… is not imported by any stack".
 * Not modelled (it throws): creating resources other than AWS::CloudFormation::WaitConditionHandle,
 * property updates, nested stacks, change sets, stack deletion. Resources are not created here: the
 * fixture creates them in moto and hands their physical ids over.
 */
import { isDeepStrictEqual } from "node:util";
import type { CfnTemplate, CloudFormationOps, StackResource } from "../../lib/aws/cloudformation";

interface Stack {
  template: CfnTemplate;
  physical: Record<string, string>;
  attributes: Record<string, Record<string, string>>;
  /** Export names this stack imports. */
  imports: string[];
}

export interface StandInOptions {
  readonly policyOnlyUpdatesAreNoOps?: boolean;
  /** Called for every resource CloudFormation deletes (the fixture deletes it in moto). */
  readonly onDelete?: (stack: string, logicalId: string, type: string, physicalId: string) => Promise<void> | void;
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function importsOf(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => importsOf(x, out));
  else if (v && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) {
      if (k === "Fn::ImportValue" && typeof x === "string") out.push(x);
      else importsOf(x, out);
    }
  }
  return out;
}

export class CloudFormationStandIn implements CloudFormationOps {
  private readonly stacks = new Map<string, Stack>();
  /** Every deletion CloudFormation performed: `<stack>/<logicalId>`. */
  readonly deleted: string[] = [];
  updates = 0;
  private readonly updatedStacks = new Set<string>();

  constructor(private readonly opts: StandInOptions = {}) {}

  /** A stack as the fixture built it: the template, and the physical ids / attributes of its resources. */
  createStack(name: string, template: CfnTemplate, physical: Record<string, string> = {}, attributes: Record<string, Record<string, string>> = {}): void {
    if (this.stacks.has(name)) throw new Error(`Stack [${name}] already exists`);
    const imports = importsOf(template);
    const exported = new Map(this.exportsNow().map((e) => [e.name, e]));
    for (const i of imports) if (!exported.has(i)) throw new Error(`No export named ${i} found. Rollback requested by user.`);
    const stack: Stack = { template: clone(template), physical: { ...physical }, attributes: clone(attributes), imports };
    this.exportsOf(name, stack); // every output resolves
    this.stacks.set(name, stack);
  }

  /** What a consumer stack's Fn::ImportValue resolve to now. */
  resolveImports(consumer: string): Record<string, string> {
    const s = this.need(consumer);
    const exported = new Map(this.exportsNow().map((e) => [e.name, e.value]));
    return Object.fromEntries(s.imports.map((i) => [i, exported.get(i) ?? "<unresolved>"]));
  }

  managedResources(stack: string): string[] {
    return Object.keys(this.need(stack).template.Resources).sort();
  }

  async describeStack(stackName: string): Promise<{ status: string; resources: StackResource[] } | undefined> {
    const s = this.stacks.get(stackName);
    if (!s) return undefined;
    const resources = Object.entries(s.template.Resources).map(([logicalId, r]) => ({ logicalId, type: r.Type, physicalId: s.physical[logicalId] ?? "", status: "CREATE_COMPLETE" }));
    return { status: this.updatedStacks.has(stackName) ? "UPDATE_COMPLETE" : "CREATE_COMPLETE", resources };
  }

  async getTemplate(stackName: string): Promise<CfnTemplate> {
    return clone(this.need(stackName).template);
  }

  async listExports(): Promise<Array<{ name: string; value: string; exportingStack: string }>> {
    return this.exportsNow();
  }

  async listImports(exportName: string): Promise<string[]> {
    if (!this.exportsNow().some((e) => e.name === exportName)) throw new Error(`Export '${exportName}' does not exist.`);
    const importers = this.importersOf(exportName);
    if (!importers.length) throw new Error(`Export '${exportName}' is not imported by any stack.`);
    return importers;
  }

  async updateStack(stackName: string, template: CfnTemplate): Promise<"updated" | "no-changes"> {
    const cur = this.need(stackName);
    if (isDeepStrictEqual(cur.template, template)) return "no-changes"; // real CloudFormation: "No updates are to be performed."
    const next: Stack = { template: clone(template), physical: { ...cur.physical }, attributes: clone(cur.attributes), imports: importsOf(template) };
    const removed = Object.keys(cur.template.Resources).filter((id) => !(id in template.Resources));
    for (const [id, r] of Object.entries(template.Resources)) {
      const old = cur.template.Resources[id];
      if (!old) {
        if (r.Type !== "AWS::CloudFormation::WaitConditionHandle") throw new Error(`stand-in: creating ${r.Type} (${id}) is not modelled`);
        next.physical[id] = `https://cloudformation-waitcondition.invalid/${stackName}/${id}`;
        continue;
      }
      const strip = (x: typeof r): unknown => ({ ...x, DeletionPolicy: undefined, UpdateReplacePolicy: undefined });
      if (!isDeepStrictEqual(strip(old), strip(r))) throw new Error(`stand-in: updating the properties of ${id} (${r.Type}) is not modelled`);
    }
    const policyOnly = removed.length === 0 && Object.keys(template.Resources).every((id) => id in cur.template.Resources) && isDeepStrictEqual(cur.template.Outputs, template.Outputs);
    if (policyOnly && this.opts.policyOnlyUpdatesAreNoOps) return "no-changes";
    for (const id of removed) delete next.physical[id];
    // Export protection: an imported export keeps its name and value, or the update fails (and rolls back).
    const before = this.exportsOf(stackName, cur);
    const after = new Map(this.exportsOf(stackName, next).map((e) => [e.name, e.value]));
    for (const e of before) {
      const importers = this.importersOf(e.name).filter((s) => s !== stackName);
      if (!importers.length) continue;
      if (!after.has(e.name)) throw new Error(`Export ${e.name} cannot be deleted as it is in use by ${importers.join(", ")}`);
      if (after.get(e.name) !== e.value) throw new Error(`Export ${e.name} cannot be updated as it is in use by ${importers.join(", ")}`);
    }
    this.updates++;
    this.updatedStacks.add(stackName);
    this.stacks.set(stackName, next);
    for (const id of removed) {
      const old = cur.template.Resources[id];
      if (old.DeletionPolicy === "Retain") continue; // CloudFormation forgets it; the resource stays
      this.deleted.push(`${stackName}/${id}`);
      await this.opts.onDelete?.(stackName, id, old.Type, cur.physical[id] ?? "");
    }
    return "updated";
  }

  private need(name: string): Stack {
    const s = this.stacks.get(name);
    if (!s) throw new Error(`Stack with id ${name} does not exist`);
    return s;
  }

  private importersOf(exportName: string): string[] {
    return [...this.stacks.entries()]
      .filter(([, s]) => s.imports.includes(exportName))
      .map(([n]) => n)
      .sort();
  }

  private exportsNow(): Array<{ name: string; value: string; exportingStack: string }> {
    return [...this.stacks.entries()].flatMap(([n, s]) => this.exportsOf(n, s));
  }

  private exportsOf(stackName: string, s: Stack): Array<{ name: string; value: string; exportingStack: string }> {
    const out: Array<{ name: string; value: string; exportingStack: string }> = [];
    for (const [key, o] of Object.entries(s.template.Outputs ?? {})) {
      if (!o.Export) continue;
      out.push({ name: this.resolve(o.Export.Name, s, `${stackName}.Outputs.${key}.Export.Name`), value: this.resolve(o.Value, s, `${stackName}.Outputs.${key}.Value`), exportingStack: stackName });
    }
    return out;
  }

  private resolve(v: unknown, s: Stack, at: string): string {
    if (typeof v === "string") return v;
    const o = v as Record<string, unknown>;
    if (o && typeof o.Ref === "string") {
      const p = s.physical[o.Ref];
      if (p === undefined) throw new Error(`Template error: ${at} refers to ${o.Ref}, which is not in the template`);
      return p;
    }
    if (o && Array.isArray(o["Fn::GetAtt"])) {
      const [id, attr] = o["Fn::GetAtt"] as [string, string];
      const val = s.physical[id] !== undefined ? s.attributes[id]?.[attr] : undefined;
      if (val === undefined) throw new Error(`Template error: ${at}: Fn::GetAtt ${id}.${attr} does not resolve`);
      return val;
    }
    throw new Error(`stand-in: ${at} is not a literal, Ref or Fn::GetAtt`);
  }
}
