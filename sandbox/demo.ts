/**
 * The demo / bench driver: the whole cascade on the embedded sandbox, in-process. By default every
 * stack is applied for real to the local AWS (moto): Root → {Corporate, dev} → {stage, demo} → prod,
 * each with a second plan that must be empty, then verify against what Route53 holds (served by
 * Knot). `offline`: the partitions only, planned offline, their synthesized records published.
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
  /** Plan offline instead of applying to the local AWS (the fast path; no moto needed). */
  readonly offline?: boolean;
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
  const offline = o.offline ?? false;
  const env = await startSandboxEnvironment({ platform: loadPlatform("sandbox"), dir: o.dir, localAws: !offline });
  const platform = env.platform;
  if (!env.dns) {
    await env.close();
    throw new DnsServerMissing();
  }
  const say = (l: string): void => (o.progress ?? ((x: string) => process.stderr.write(`${x}\n`)))(scrub(l, env.secretValues));
  say(
    `sandbox: Postmark ${env.sandbox.url}, DNS (knotd) ${env.dns.parentAddress} for the mail root zone and ${env.dns.address} for the zones below it${env.localAws ? `, local AWS (moto) ${env.localAws.aws.endpoint}` : ""}, scratch ${env.dir}`,
  );
  const ctx: DeployContext = {
    platform,
    contextFile: env.contextFile,
    secrets: new FileSecretStore(env.secretsFile),
    client: (token) => new PostmarkClient({ accountToken: token, apiUrl: env.sandbox.url }),
    awsConfigFile: env.awsConfigFile,
    offline,
    resolver: env.dns.address,
    parentServer: env.dns.parentAddress,
    ...(env.localAws ? { followDns: env.localAws.followDns, stateRoot: env.localAws.stateRoot, postmarkUrl: env.sandbox.url } : { publishDns: localDnsPublisher(env.dns.dir) }),
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
    env: { ...process.env, ...env.env },
  };
  const result = await deployCascade(ctx, { parallel: o.parallel ?? true });
  return { env, result };
}
