import type { CorporateAsset, Platform } from "../platform/model";
import { corporateDomain, corporateServerTokenRef, postmarkAccount } from "../platform/names";
import { corporateAssetContextKey, corporateAssetEntry, type CorporateAssetEntry } from "../platform/mail-context";
import { readContextEntries, setContextEntries } from "../lib/context-store";
import { redact } from "../lib/redact";
import type { PostmarkClient } from "../lib/postmark/client";
import type { ServerDetails } from "../lib/postmark/types";
import type { SecretStore } from "../lib/secrets";
import { FlowError } from "./errors";

export interface ProvisionPlan {
  readonly asset: CorporateAsset;
  readonly domain: string;
  readonly accountTokenRef: string;
  readonly serverTokenRef: string;
  readonly contextKey: string;
}

export function provisionPlan(platform: Platform, assetName: string): ProvisionPlan {
  const asset = platform.corporate.assets.find((a) => a.name === assetName);
  if (!asset) {
    throw new FlowError(
      `unknown Corporate asset "${assetName}" (known: ${platform.corporate.assets.map((a) => a.name).join(", ") || "none"})`,
      `add it to corporate.assets in platform/${platform.name}.platform.json first`,
    );
  }
  return {
    asset,
    domain: `${asset.label}.${corporateDomain(platform)}`,
    accountTokenRef: postmarkAccount(platform, platform.corporate.postmarkAccount).tokenRef,
    serverTokenRef: corporateServerTokenRef(platform, asset),
    contextKey: corporateAssetContextKey(asset.name),
  };
}

export interface RetryOptions {
  readonly attempts: number;
  readonly baseDelayMs: number;
}

export interface ProvisionOptions {
  readonly plan: ProvisionPlan;
  readonly client: PostmarkClient;
  readonly secrets: SecretStore;
  readonly contextFile: string;
  readonly resume: boolean;
  readonly retry: RetryOptions;
  readonly progress: (line: string) => void;
  /** Called with every secret value as soon as it exists, so the caller can scrub it everywhere. */
  readonly remember: (secret: string) => void;
}

export interface ProvisionResult {
  readonly asset: string;
  readonly action: "provisioned" | "resumed" | "unchanged";
  readonly entry: CorporateAssetEntry;
  readonly contextKey: string;
  readonly contextFile: string;
}

/**
 * The Corporate Phase A (DQ-R1-013, DQ-R1-016):
 *   1. conflict check — exit before any change if the server name, the leaf domain or the 1Password
 *      item is already taken;
 *   2. create the Postmark server (SMTP API on); its token stays in this process's memory only;
 *   3. write the token to 1Password, retrying with exponential backoff;
 *   4. only then write the public values to the context.
 * If step 3 fails for good, the context stays untouched and the error explains the two ways back.
 */
export async function provisionCorporateAsset(o: ProvisionOptions): Promise<ProvisionResult> {
  const { plan, client, secrets } = o;
  const name = plan.asset.serverName;
  const base = { asset: plan.asset.name, contextKey: plan.contextKey, contextFile: o.contextFile };

  // The committed entry is hand-editable: shape-checked before Postmark is asked anything, and
  // before it may decide "already provisioned".
  const existingEntry = corporateAssetEntry(readContextEntries(o.contextFile), plan.contextKey, o.contextFile);
  o.progress(`${plan.asset.name}: checking for conflicts (Postmark servers, domains, 1Password item ${plan.serverTokenRef})…`);
  const [server, domains, itemExists] = await Promise.all([client.findServerByName(name), client.listDomains(), secrets.exists(plan.serverTokenRef)]);
  for (const t of server?.ApiTokens ?? []) o.remember(t);
  const domainTaken = domains.find((d) => d.Name.toLowerCase() === plan.domain);

  if (server && itemExists && existingEntry?.serverId === server.ID) {
    o.progress(`${plan.asset.name}: already provisioned (server ${name}, ID ${server.ID}; token in 1Password) — nothing to do`);
    return { ...base, action: "unchanged", entry: existingEntry };
  }

  if (o.resume) return resume(o, server, itemExists);

  const conflicts: string[] = [];
  if (server) conflicts.push(`Postmark server "${name}" already exists (ID ${server.ID})`);
  if (domainTaken) conflicts.push(`Postmark domain "${domainTaken.Name}" exists (ID ${domainTaken.ID}); ${plan.domain} is a leaf that inherits the Corporate DKIM and must not have its own`);
  if (itemExists) conflicts.push(`1Password item ${plan.serverTokenRef} already exists`);
  if (conflicts.length) {
    throw new FlowError(
      `${plan.asset.name}: name conflict, nothing was changed:\n${conflicts.map((c) => `  - ${c}`).join("\n")}`,
      server && !itemExists
        ? `if this server is left from an earlier failed run, finish it with \`arda-mail corporate provision ${plan.asset.name} --resume\`; otherwise rename the asset`
        : "remove or rename the conflicting object (after checking nobody uses it), or choose another asset name",
      { conflicts },
    );
  }

  o.progress(`${plan.asset.name}: creating Postmark server "${name}" (SMTP API on)…`);
  const created = await client.createServer({ Name: name, SmtpApiActivated: true, DeliveryType: "Live" });
  const token = created.ApiTokens?.[0];
  if (!token)
    throw new FlowError(
      `Postmark created server "${name}" (ID ${created.ID}) but returned no API token`,
      `open the server in Postmark, create an API token, store it at ${plan.serverTokenRef}, then run \`arda-mail corporate provision ${plan.asset.name} --resume\``,
    );
  o.remember(token);
  o.progress(`${plan.asset.name}: server ID ${created.ID} created; token ${redact(token)} held in memory`);

  await writeTokenWithRetries(o, created, token);
  return { ...base, action: "provisioned", entry: await writeEntry(o, created) };
}

async function resume(o: ProvisionOptions, server: ServerDetails | undefined, itemExists: boolean): Promise<ProvisionResult> {
  const { plan } = o;
  const base = { asset: plan.asset.name, contextKey: plan.contextKey, contextFile: o.contextFile };
  if (!server) throw new FlowError(`--resume: Postmark has no server "${plan.asset.serverName}"`, `run \`arda-mail corporate provision ${plan.asset.name}\` without --resume`);
  if (!itemExists) {
    // The account API lists a server's tokens (GET /servers/{id}); take it from there.
    const details = await o.client.getServer(server.ID);
    const token = details.ApiTokens?.[0];
    if (!token) {
      throw new FlowError(
        `--resume: Postmark does not reveal a token for server "${server.Name}" (ID ${server.ID})`,
        `create a token for the server in Postmark's web app (Servers → ${server.Name} → API Tokens), store it at ${plan.serverTokenRef}, then re-run with --resume`,
      );
    }
    o.remember(token);
    await writeTokenWithRetries(o, server, token);
  } else {
    o.progress(`${plan.asset.name}: 1Password item ${plan.serverTokenRef} exists — keeping it`);
  }
  return { ...base, action: "resumed", entry: await writeEntry(o, server) };
}

async function writeTokenWithRetries(o: ProvisionOptions, server: ServerDetails, token: string): Promise<void> {
  const { plan } = o;
  let lastError = "";
  for (let attempt = 1; attempt <= o.retry.attempts; attempt++) {
    try {
      await o.secrets.write(plan.serverTokenRef, token);
      o.progress(`${plan.asset.name}: token written to ${plan.serverTokenRef}`);
      return;
    } catch (e) {
      lastError = (e as Error).message;
      if (attempt === o.retry.attempts) break;
      const delay = o.retry.baseDelayMs * 2 ** (attempt - 1);
      o.progress(`${plan.asset.name}: 1Password write failed (attempt ${attempt}/${o.retry.attempts}): ${lastError}; retrying in ${delay} ms`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
  // DQ-R1-013: fail loud, redacted. The token dies with this process, so the honest ways back are
  // the ones that do not need it: re-read it from Postmark (--resume), or delete the server.
  throw new FlowError(
    [
      `${plan.asset.name}: could not store the server token in 1Password after ${o.retry.attempts} attempts (last error: ${lastError}).`,
      `  Postmark server: "${server.Name}" (ID ${server.ID}) — CREATED`,
      `  server token:    ${redact(token)} — NOT stored (it was held in memory only and is gone when this process exits)`,
      `  1Password item:  ${plan.serverTokenRef} — not written`,
      `  context:         ${plan.contextKey} — not written (${o.contextFile} unchanged)`,
    ].join("\n"),
    [
      "choose one recovery path once 1Password is writable again:",
      `  (1) keep the server: \`arda-mail corporate provision ${plan.asset.name} --resume\` reads the server's token back through Postmark's account API and stores it at ${plan.serverTokenRef}` +
        ` (if Postmark will not reveal it, create a new token in Postmark's web app under Servers → ${server.Name} → API Tokens, paste it into ${plan.serverTokenRef} by hand, then run --resume);`,
      `  (2) start over: delete server "${server.Name}" (ID ${server.ID}) in Postmark's web app (or DELETE /servers/${server.ID}), then re-run \`arda-mail corporate provision ${plan.asset.name}\`.`,
    ].join("\n"),
    { serverId: server.ID, serverName: server.Name, serverTokenRef: plan.serverTokenRef, tokenStored: false, contextWritten: false },
  );
}

async function writeEntry(o: ProvisionOptions, server: ServerDetails): Promise<CorporateAssetEntry> {
  const entry: CorporateAssetEntry = { serverId: server.ID, serverName: server.Name, domain: o.plan.domain, serverTokenRef: o.plan.serverTokenRef };
  await setContextEntries(o.contextFile, { [o.plan.contextKey]: entry });
  o.progress(`${o.plan.asset.name}: wrote ${o.plan.contextKey} to ${o.contextFile}`);
  return entry;
}
