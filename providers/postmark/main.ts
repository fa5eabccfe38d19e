/**
 * Entry point of terraform-provider-postmark. Terraform starts this process; nothing may reach
 * stdout before the go-plugin handshake line, so everything else logs to stderr.
 *
 * The release build is a Node single executable with a V8 startup snapshot
 * (scripts/build-provider.mjs): when this script runs to BUILD that snapshot, the provider object
 * and the tfplugin6 message types are made then, once, and the process that Terraform starts only
 * resumes from the snapshot and serves. Nothing environment-dependent (env, ports, certificates)
 * may happen before `setDeserializeMainFunction`'s callback.
 */
import * as v8 from "node:v8";
import { servePlugin } from "./protocol/plugin";
import { tfplugin6Root } from "./protocol/descriptor";
import { postmarkProvider } from "./provider";
import type { ProviderType } from "./protocol/provider-api";

function serve(provider: ProviderType): void {
  servePlugin(provider).catch((e: unknown) => {
    process.stderr.write(`[postmark-provider] failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}

if (v8.startupSnapshot?.isBuildingSnapshot()) {
  const provider = postmarkProvider();
  tfplugin6Root();
  v8.startupSnapshot.setDeserializeMainFunction(() => serve(provider));
} else {
  serve(postmarkProvider());
}
