/**
 * `npm run synth [-- --platform sandbox|arda] [--outdir DIR] [--no-hcl]`: every stack as Terraform
 * JSON in `<outdir>/stacks/<stack>/cdk.tf.json`, plus an HCL export in `<outdir>/hcl/stacks/<stack>/cdk.tf`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { buildApp } from "../main";
import { loadPlatform, REPO_ROOT, selectedPlatformName } from "../platform/load";
import type { Platform } from "../platform/model";

export interface SynthOptions {
  platformName?: string;
  /** An already loaded (validated) model; wins over platformName. */
  platform?: Platform;
  outdir?: string;
  contextFile?: string;
  /** Only these stacks (default: every stack of the platform). */
  stacks?: readonly string[];
  hcl?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Directory local-backend state paths are resolved against (default: the repository root). */
  stateRoot?: string;
}

export interface SynthResult {
  readonly outdir: string;
  readonly stacks: string[];
  /** Stack name → directory holding `cdk.tf.json`. */
  readonly stackDirs: Record<string, string>;
  readonly hclDirs: Record<string, string>;
}

export function synthPlatform(opts: SynthOptions = {}): SynthResult {
  const platform = opts.platform ?? loadPlatform(selectedPlatformName(opts.platformName, opts.env), { env: opts.env });
  const outdir = path.resolve(opts.outdir ?? path.join(REPO_ROOT, "cdktf.out"));
  fs.rmSync(path.join(outdir, "stacks"), { recursive: true, force: true });
  const app = buildApp({ platform, outdir, contextFile: opts.contextFile, stacks: opts.stacks, stateRoot: opts.stateRoot });
  app.synth();
  const stacks = app.node.children.map((c) => c.node.id);
  const unknown = (opts.stacks ?? []).filter((s) => !stacks.includes(s));
  if (unknown.length) throw new Error(`unknown stack ${unknown.map((s) => `"${s}"`).join(", ")} for platform ${platform.name}`);
  const stackDirs = Object.fromEntries(stacks.map((s) => [s, path.join(outdir, "stacks", s)]));
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

export function parseFlag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  if (i >= 0) return argv[i + 1];
  const eq = argv.find((a) => a.startsWith(`--${name}=`));
  return eq?.slice(name.length + 3);
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  try {
    const t = Date.now();
    const r = synthPlatform({ platformName: parseFlag(argv, "platform"), outdir: parseFlag(argv, "outdir"), hcl: !argv.includes("--no-hcl") });
    process.stderr.write(`synthesized ${r.stacks.length} stacks in ${Date.now() - t} ms → ${path.relative(process.cwd(), r.outdir) || r.outdir}/stacks\n`);
    for (const s of r.stacks) process.stdout.write(`${s}\n`);
  } catch (e) {
    process.stderr.write(`synth failed: ${(e as Error).message}\n`);
    process.exit(1);
  }
}
