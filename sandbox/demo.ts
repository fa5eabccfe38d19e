/**
 * The demo / bench driver: the whole cascade dev → stage ∥ demo → prod on the embedded sandbox
 * (Postmark sandbox, Knot DNS, file secrets, local state, offline plans), in-process.
 */
import { loadPlatform } from "../platform/load";
import { PostmarkClient } from "../lib/postmark/client";
import { FileSecretStore } from "../lib/secrets";
import { scrub } from "../lib/redact";
import { deployCascade, type CascadeResult, type DeployContext } from "../flows/deploy/deploy";
import { startSandboxEnvironment, type SandboxEnvironment } from "./env";
import { localDnsPublisher } from "./dns/publish";

export interface DemoOptions {
  readonly dir?: string;
  readonly parallel?: boolean;
  readonly verbose?: boolean;
  readonly progress?: (line: string) => void;
}

export interface DemoRun {
  readonly env: SandboxEnvironment;
  readonly result: CascadeResult;
}

export class DnsServerMissing extends Error {
  constructor() {
    super("Knot DNS is not installed (apt-get install knot; .ci/run installs it): the demo cannot verify DNS without a real DNS server");
  }
}

/** Run the cascade; the caller closes `env` (the demo keeps it only as long as it prints). */
export async function runDemoCascade(o: DemoOptions = {}): Promise<DemoRun> {
  const platform = loadPlatform("sandbox");
  const env = await startSandboxEnvironment({ platform, dir: o.dir });
  if (!env.dns) {
    await env.close();
    throw new DnsServerMissing();
  }
  const say = (l: string): void => (o.progress ?? ((x: string) => process.stderr.write(`${x}\n`)))(scrub(l, env.secretValues));
  say(`sandbox: Postmark ${env.sandbox.url}, DNS (knotd) ${env.dns.parentAddress} for the mail root zone and ${env.dns.address} for the zones below it, scratch ${env.dir}`);
  const ctx: DeployContext = {
    platform,
    contextFile: env.contextFile,
    secrets: new FileSecretStore(env.secretsFile),
    client: (token) => new PostmarkClient({ accountToken: token, apiUrl: env.sandbox.url }),
    awsConfigFile: env.awsConfigFile,
    offline: true,
    resolver: env.dns.address,
    parentServer: env.dns.parentAddress,
    publishDns: localDnsPublisher(env.dns.dir),
    planOnly: false,
    allowDestructive: false,
    verbose: o.verbose ?? false,
    // The demo runs the cascade as `deploy --all --confirm-production` would.
    confirmProduction: async () => true,
    rolloutFile: env.rolloutFile,
    workDir: env.workDir,
    progress: say,
    remember: () => undefined,
    verifyAttempts: 5,
    verifyDelayMs: 200,
    env: process.env,
  };
  const result = await deployCascade(ctx, { parallel: o.parallel ?? true });
  return { env, result };
}
