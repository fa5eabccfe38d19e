/**
 * The sandbox's local AWS: moto (`moto_server`, Python) on a loopback port, with an AWS config file
 * whose profiles each act in their model account. Every stack is applied to it exactly as
 * synthesized — no override file: the base profile holds static test keys, and each model
 * `awsProfile` assumes a role in its own account, so `allowed_account_ids` holds.
 */
import { spawnDaemon } from "../daemon";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Platform } from "../../platform/model";
import { freeLoopbackPort } from "../ports";
import type { LocalAws } from "./local-aws";

export type { LocalAws } from "./local-aws";

/** The profile holding the static keys every model profile assumes its role from. */
export const BASE_PROFILE = "arda-mail-local-aws";
/** Any role name works: moto does not check that the role exists, it acts in the role's account. */
export const LOCAL_ROLE_NAME = "arda-mail-sandbox";
const STATIC_KEYS = { aws_access_key_id: "test", aws_secret_access_key: "test" };

export const MOTO_SERVER = "moto_server";
export const MOTO_MISSING = "moto_server is not installed (the local AWS of the sandbox): pip install 'moto[server]' (moto 5.2.x), or run scripts/install-system-deps.sh to see what is missing";

export function findMotoServer(envPath: string = process.env.PATH ?? ""): string | undefined {
  for (const dir of envPath.split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, MOTO_SERVER);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The config file: the base profile, then one profile per model `awsProfile`, in its account. */
export function localAwsConfig(platform: Platform): string {
  const lines = [`[profile ${BASE_PROFILE}]`, ...Object.entries(STATIC_KEYS).map(([k, v]) => `${k} = ${v}`), "region = us-east-1", ""];
  for (const infra of platform.infrastructures) {
    if (!infra.awsProfile) continue;
    lines.push(
      `[profile ${infra.awsProfile}]`,
      `role_arn = arn:aws:iam::${infra.accountId}:role/${LOCAL_ROLE_NAME}`,
      `source_profile = ${BASE_PROFILE}`,
      `role_session_name = arda-mail-sandbox`,
      `region = ${infra.region}`,
      "",
    );
  }
  return lines.join("\n");
}

async function answers(endpoint: string): Promise<boolean> {
  try {
    const r = await fetch(`${endpoint}/moto-api/data.json`, { signal: AbortSignal.timeout(1000) });
    await r.arrayBuffer();
    return r.ok;
  } catch {
    return false;
  }
}

/** Start moto on a free loopback port and write the AWS config for `platform`'s profiles. */
export async function startLocalAws(platform: Platform, opts: { dir?: string } = {}): Promise<LocalAws> {
  const moto = findMotoServer();
  if (!moto) throw new Error(MOTO_MISSING);
  const ownDir = !opts.dir;
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "arda-local-aws-"));
  fs.mkdirSync(dir, { recursive: true });
  const configFile = path.join(dir, "aws-config");
  const credentialsFile = path.join(dir, "aws-credentials");
  fs.writeFileSync(configFile, localAwsConfig(platform));
  fs.writeFileSync(credentialsFile, "");

  const port = await freeLoopbackPort();
  const endpoint = `http://127.0.0.1:${port}`;
  const daemon = spawnDaemon(moto, ["-H", "127.0.0.1", "-p", String(port)], { ...process.env, PYTHONUNBUFFERED: "1" });
  const { child } = daemon;
  const deadline = Date.now() + 30_000;
  while (!(await answers(endpoint))) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      daemon.release();
      const why = child.exitCode !== null ? `exited (${child.exitCode})` : "did not answer within 30 s";
      throw new Error(`moto_server on ${endpoint} ${why}: ${daemon.stderrTail().trim().split("\n").slice(-5).join("\n")}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }

  return {
    endpoint,
    configFile,
    env: {
      AWS_CONFIG_FILE: configFile,
      AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
      AWS_ENDPOINT_URL: endpoint,
      // Without it, a profile's role assumption dials the real STS.
      AWS_ENDPOINT_URL_STS: endpoint,
      AWS_EC2_METADATA_DISABLED: "true",
    },
    async reset(): Promise<void> {
      const r = await fetch(`${endpoint}/moto-api/reset`, { method: "POST" });
      await r.arrayBuffer();
      if (!r.ok) throw new Error(`moto reset failed: HTTP ${r.status}`);
    },
    async stop(): Promise<void> {
      daemon.release();
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((res) => {
          const force = setTimeout(() => child.kill("SIGKILL"), 5000);
          child.once("exit", () => {
            clearTimeout(force);
            res();
          });
          child.kill("SIGTERM");
        });
      }
      if (ownDir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export { createRegistrarZone, readRecordSets, type RecordSet } from "./route53";
export { clientConfig, type ClientConfig } from "./clients";
