/**
 * Synthesize a loaded platform: every stack (or the selected ones) as Terraform JSON in
 * `<outdir>/stacks/<stack>/cdk.tf.json`, plus an HCL export in `<outdir>/hcl/stacks/<stack>/cdk.tf`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { prepareRemoteRun, usesCloudBackend } from "../lib/remote-run";
import { buildApp } from "../main";
import { REPO_ROOT } from "../platform/load";
import type { Platform } from "../platform/model";

export interface SynthOptions {
  /** The loaded (validated) model — selected once at the entry point. */
  platform: Platform;
  outdir?: string;
  contextFile?: string;
  /** Only these stacks (default: every stack of the platform). */
  stacks?: readonly string[];
  hcl?: boolean;
  /** Directory local-backend state paths are resolved against (default: the repository root). */
  stateRoot?: string;
  /** Environment of the local `terraform init` that pins a cloud-backend stack's providers. */
  env?: NodeJS.ProcessEnv;
}

export interface SynthResult {
  readonly outdir: string;
  readonly stacks: string[];
  /** Stack name → directory holding `cdk.tf.json`. */
  readonly stackDirs: Record<string, string>;
  readonly hclDirs: Record<string, string>;
}

export function synthPlatform(opts: SynthOptions): SynthResult {
  const { platform } = opts;
  const outdir = path.resolve(opts.outdir ?? path.join(REPO_ROOT, "cdktf.out"));
  fs.rmSync(path.join(outdir, "stacks"), { recursive: true, force: true });
  const app = buildApp({ platform, outdir, contextFile: opts.contextFile, stacks: opts.stacks, stateRoot: opts.stateRoot });
  app.synth();
  const stacks = app.node.children.map((c) => c.node.id);
  const unknown = (opts.stacks ?? []).filter((s) => !stacks.includes(s));
  if (unknown.length) throw new Error(`unknown stack ${unknown.map((s) => `"${s}"`).join(", ")} for platform ${platform.name}`);
  const stackDirs = Object.fromEntries(stacks.map((s) => [s, path.join(outdir, "stacks", s)]));
  // A `cloud` backend means a remote run gets only the uploaded stack directory (lib/remote-run.ts).
  for (const dir of Object.values(stackDirs)) if (usesCloudBackend(dir)) prepareRemoteRun(dir, { env: opts.env });
  const hclDirs: Record<string, string> = {};
  if (opts.hcl ?? true) {
    const hclOut = path.join(outdir, "hcl");
    fs.rmSync(hclOut, { recursive: true, force: true });
    // CDKTF 0.21 stacks read SYNTH_HCL_OUTPUT when constructed (App's hclOutput alone writes JSON into cdk.tf).
    const previous = process.env.SYNTH_HCL_OUTPUT;
    process.env.SYNTH_HCL_OUTPUT = "true";
    try {
      buildApp({ platform, outdir: hclOut, contextFile: opts.contextFile, stacks: opts.stacks, hcl: true, stateRoot: opts.stateRoot }).synth();
    } finally {
      if (previous === undefined) delete process.env.SYNTH_HCL_OUTPUT;
      else process.env.SYNTH_HCL_OUTPUT = previous;
    }
    for (const s of stacks) hclDirs[s] = path.join(hclOut, "stacks", s);
  }
  return { outdir, stacks, stackDirs, hclDirs };
}
