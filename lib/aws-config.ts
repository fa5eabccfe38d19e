/**
 * The AWS CLI config file (`AWS_CONFIG_FILE`, default ~/.aws/config), read only to check that the
 * model's profile exists there before anything changes — the operator log's first failure was a
 * profile name derived from the infrastructure name that did not exist.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export function awsConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.AWS_CONFIG_FILE ? path.resolve(env.AWS_CONFIG_FILE) : path.join(os.homedir(), ".aws", "config");
}

export interface AwsProfile {
  readonly name: string;
  readonly settings: Readonly<Record<string, string>>;
}

/** Profiles of an AWS config file: `[profile X]` sections, and `[default]`. */
export function readAwsProfiles(file: string): Map<string, AwsProfile> {
  const out = new Map<string, AwsProfile>();
  if (!fs.existsSync(file)) return out;
  let current: { name: string; settings: Record<string, string> } | undefined;
  for (const raw of fs.readFileSync(file, "utf8").split(/\r?\n/)) {
    const line = raw.replace(/[#;].*$/, "").trim();
    if (!line) continue;
    const section = /^\[\s*(?:profile\s+)?([^\]\s]+)\s*\]$/.exec(line);
    if (section) {
      const isProfile = /^\[\s*profile\s+/.test(line) || section[1] === "default";
      current = isProfile ? { name: section[1], settings: {} } : undefined;
      if (current) out.set(current.name, current);
      continue;
    }
    const kv = /^([A-Za-z0-9_]+)\s*=\s*(.*)$/.exec(line);
    if (kv && current) current.settings[kv[1]] = kv[2];
  }
  return out;
}
