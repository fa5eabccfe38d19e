/**
 * The arda-mail CDKTF app: which stacks exist. One `Root`, one `Corporate`, and one
 * `<infra>-<partition>-Email` per active partition of the selected platform model
 * (ARDA_MAIL_PLATFORM=sandbox|arda, default sandbox). Stack names are immutable once deployed.
 */
import { App } from "cdktf";
import { loadSelectedPlatform } from "./platform/select";
import { contextFilePath, corporateMailEntry, partitionMailEntry, readContext } from "./platform/mail-context";
import type { Platform } from "./platform/model";
import { activePartitions, CORPORATE_STACK, partitionStackName, ROOT_STACK } from "./platform/names";
import { DkimValues } from "./constructs/postmark-sending-domain";
import { CorporateStack } from "./stacks/corporate-stack";
import { PartitionEmailStack } from "./stacks/partition-email-stack";
import { RootStack } from "./stacks/root-stack";
import { STATE_ROOT_CONTEXT, stateRootFromEnvironment } from "./constructs/state-backend";

export interface BuildOptions {
  platform: Platform;
  /** Default: CDKTF_OUTDIR, else `cdktf.out`. */
  outdir?: string;
  /** Write HCL (`cdk.tf`) instead of JSON — an export; deploys use the JSON. */
  hcl?: boolean;
  /** The cdktf.json-shaped file holding the register output (default: the platform's). */
  contextFile?: string;
  /** Build only these stacks (e.g. the one partition being deployed; others need no context). */
  stacks?: readonly string[];
  /** Directory local-backend paths are resolved against (default: ARDA_MAIL_STATE_ROOT, else the repository root). */
  stateRoot?: string;
}

export function buildApp(opts: BuildOptions): App {
  const { platform } = opts;
  const contextFile = opts.contextFile ?? contextFilePath(platform);
  const context = readContext(contextFile);
  const stateRoot = opts.stateRoot ?? stateRootFromEnvironment();
  const app = new App({ outdir: opts.outdir, hclOutput: opts.hcl ?? false, ...(stateRoot ? { context: { [STATE_ROOT_CONTEXT]: stateRoot } } : {}) });

  const wanted = (name: string): boolean => !opts.stacks || opts.stacks.includes(name);

  if (wanted(ROOT_STACK)) new RootStack(app, platform);
  if (wanted(CORPORATE_STACK)) {
    const corporateDkim: DkimValues =
      platform.instanceGroups.corporate.dkimSource === "provider" ? { kind: "provider" } : { kind: "context", entry: corporateMailEntry(platform, context, contextFile) };
    new CorporateStack(app, platform, corporateDkim);
  }
  for (const partition of activePartitions(platform).filter((p) => wanted(partitionStackName(p)))) {
    const dkim: DkimValues =
      platform.instanceGroups.runtimePlatform.dkimSource === "provider" ? { kind: "provider" } : { kind: "context", entry: partitionMailEntry(platform, partition, context, contextFile) };
    new PartitionEmailStack(app, platform, partition, dkim);
  }
  return app;
}

if (require.main === module) {
  try {
    // `cdktf synth|deploy` runs this file: the same selection as every entry point.
    buildApp({ platform: loadSelectedPlatform().platform }).synth();
  } catch (e) {
    process.stderr.write(`synth failed: ${(e as Error).message}\n`);
    process.exit(1);
  }
}
