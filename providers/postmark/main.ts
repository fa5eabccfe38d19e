/**
 * Entry point of terraform-provider-postmark. Terraform starts this process; nothing may reach
 * stdout before the go-plugin handshake line, so everything else logs to stderr.
 */
import { servePlugin } from "./protocol/plugin";
import { postmarkProvider } from "./provider";

servePlugin(postmarkProvider()).catch((e: unknown) => {
  process.stderr.write(`[postmark-provider] failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
