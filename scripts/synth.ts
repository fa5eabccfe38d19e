/**
 * `npm run synth [-- --platform sandbox|arda] [--outdir DIR] [--no-hcl]`: every stack as Terraform
 * JSON in `<outdir>/stacks/<stack>/cdk.tf.json`, plus an HCL export in `<outdir>/hcl/stacks/<stack>/cdk.tf`.
 * Honours ARDA_MAIL_PLATFORM and ARDA_MAIL_PLATFORM_FILE like every entry point.
 */
import * as path from "node:path";
import { synthPlatform } from "../flows/synth";
import { loadSelectedPlatform } from "../platform/select";
import { parseFlag } from "./args";

const argv = process.argv.slice(2);
try {
  const t = Date.now();
  const { platform } = loadSelectedPlatform(parseFlag(argv, "platform"));
  const r = synthPlatform({ platform, outdir: parseFlag(argv, "outdir"), hcl: !argv.includes("--no-hcl") });
  process.stderr.write(`synthesized ${r.stacks.length} stacks in ${Date.now() - t} ms → ${path.relative(process.cwd(), r.outdir) || r.outdir}/stacks\n`);
  for (const s of r.stacks) process.stdout.write(`${s}\n`);
} catch (e) {
  process.stderr.write(`synth failed: ${(e as Error).message}\n`);
  process.exit(1);
}
