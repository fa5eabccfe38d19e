/**
 * The contract between the protocol plumbing (this folder) and the Postmark logic (provider.ts,
 * resources/, data-sources/). Values are plain cty objects; the plumbing does the wire encoding.
 */
import type { CtyObject } from "./cty";
import type { Diagnostic } from "./diagnostics";
import type { BlockSpec } from "./schema";

export interface PlanResult {
  readonly planned: CtyObject | null;
  /** Attribute names whose change forces replacement. */
  readonly requiresReplace?: readonly string[];
  readonly diagnostics?: readonly Diagnostic[];
}

export interface StateResult {
  readonly state: CtyObject | null;
  readonly diagnostics?: readonly Diagnostic[];
}

export interface ResourceType {
  readonly schema: BlockSpec;
  validate?(config: CtyObject): readonly Diagnostic[];
  /** `proposed` is null when the resource is being destroyed. */
  plan(args: { prior: CtyObject | null; proposed: CtyObject | null; config: CtyObject | null }): PlanResult;
  /** `planned` is null for a destroy. */
  apply(args: { prior: CtyObject | null; planned: CtyObject | null; config: CtyObject | null }): Promise<StateResult>;
  /** Returning a null state drops the resource from state (deleted out of band). */
  read(state: CtyObject): Promise<StateResult>;
  importState?(id: string): Promise<StateResult>;
}

export interface DataSourceType {
  readonly schema: BlockSpec;
  validate?(config: CtyObject): readonly Diagnostic[];
  read(config: CtyObject): Promise<StateResult>;
}

export interface ProviderType {
  readonly schema: BlockSpec;
  readonly resources: Readonly<Record<string, ResourceType>>;
  readonly dataSources: Readonly<Record<string, DataSourceType>>;
  validate?(config: CtyObject): readonly Diagnostic[];
  configure(config: CtyObject): Promise<readonly Diagnostic[]>;
  /** Secret values the plumbing scrubs from every diagnostic it sends (defence in depth). */
  secrets(): readonly string[];
  /** Terraform's StopProvider (e.g. on Ctrl-C): abandon long waits promptly. */
  stop?(): void;
}
