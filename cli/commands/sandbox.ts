import { Flags } from "@oclif/core";
import { ArdaCommand, CliError } from "../base-command";
import { sandboxTokenProblem, startSandbox } from "../../sandbox/postmark/server";
import { FileSecretStore } from "../../lib/secrets";
import { partitionPostmarkTokenRef } from "../../platform/names";

export default class Sandbox extends ArdaCommand<typeof Sandbox> {
  static summary = "Start the loopback Postmark sandbox (the same server as `npm run sandbox`).";
  static description =
    "Serves Postmark's Account API on 127.0.0.1 so register, corporate provision, deploy and the demo can be rehearsed offline, and " +
    "runs until interrupted (Ctrl-C). With --write-secrets it also stores the sandbox's account token under every Postmark token " +
    "reference of the platform in a file secret store, ready for --secrets file:<path>.";
  static examples = [
    "<%= config.bin %> sandbox --port 4010 --write-secrets ./sandbox.secrets.json",
    "POSTMARK_API_URL=http://127.0.0.1:4010 ARDA_MAIL_SECRETS=file:./sandbox.secrets.json <%= config.bin %> register Alpha002 dev",
  ];
  static flags = {
    port: Flags.integer({ description: "TCP port on 127.0.0.1 (0 = any free port)", default: 4010, min: 0, max: 65535 }),
    token: Flags.string({ description: "account token the sandbox accepts (default: a fresh random one)" }),
    state: Flags.string({ description: "JSON file the sandbox keeps its state in" }),
    "write-secrets": Flags.string({ description: "file secret store to receive the sandbox token under the platform's Postmark token references" }),
  };

  public async run(): Promise<{ url: string; secretsFile?: string }> {
    const token = this.flags.token as string | undefined;
    const problem = token === undefined ? undefined : sandboxTokenProblem(token);
    if (problem) throw new CliError(problem, "pass --token with at least 8 visible characters, or omit it for a fresh random token", 2);
    const sandbox = await startSandbox({
      port: this.flags.port as number,
      accountToken: this.flags.token as string | undefined,
      statePath: this.flags.state as string | undefined,
    });
    this.rememberSecret(sandbox.accountToken);
    const secretsFile = this.flags["write-secrets"] as string | undefined;
    if (secretsFile) {
      const platform = this.platform();
      const store = new FileSecretStore(secretsFile);
      const refs = new Set([...platform.postmarkAccounts.map((a) => a.tokenRef), ...platform.partitions.map((p) => partitionPostmarkTokenRef(p))]);
      for (const ref of refs) await store.write(ref, sandbox.accountToken);
      this.progress(`wrote the sandbox token under ${refs.size} references to ${secretsFile}`);
    }
    this.progress(`Postmark sandbox listening on ${sandbox.url}\n  export POSTMARK_API_URL=${sandbox.url}${secretsFile ? `\n  export ARDA_MAIL_SECRETS=file:${secretsFile}` : ""}\nCtrl-C stops it.`);
    // One line on stdout as soon as it listens (the command runs until stopped, so the JSON cannot wait for the end).
    if (this.jsonEnabled()) process.stdout.write(`${JSON.stringify({ url: sandbox.url, ...(secretsFile ? { secretsFile } : {}) })}\n`);
    await new Promise<void>((resolve) => {
      const stop = (): void => void sandbox.close().then(resolve);
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    this.progress("sandbox stopped");
    // Already printed; returning nothing keeps oclif from printing it twice.
    return undefined as unknown as { url: string };
  }
}
