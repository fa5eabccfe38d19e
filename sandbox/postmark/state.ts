/**
 * The sandbox's Postmark account: domains (here) and servers (servers.ts) in memory, optionally persisted to a JSON
 * file (written atomically after each change, loaded at start). Behaviour follows
 * /work/shared/notes/postmark-api.md; where Postmark's exact behaviour is unknown the choice made
 * here is marked SANDBOX ASSUMPTION.
 */
import { generateKeyPair } from "node:crypto";
import { mkdirSync, readFileSync, existsSync } from "node:fs";
import { dirname } from "node:path";
import type { DomainDetails, DomainSummary, ServerDetails } from "../../lib/postmark/types";
import { POSTMARK_RETURN_PATH_TARGET } from "../../platform/placement";
import { writeFileAtomic } from "../../lib/atomic-file";
import { DeclaredRecord, DnsTruth, normName } from "./dns";
import { SandboxError } from "./sandbox-error";
import { SandboxServers } from "./servers";

export { SandboxError } from "./sandbox-error";

interface DkimKey {
  selector: string;
  /** `k=rsa;p=<base64 SPKI DER>`; "" while a seeded domain's key is not generated yet. */
  value: string;
}

export interface StoredDomain {
  ID: number;
  Name: string;
  ReturnPathDomain: string;
  ReturnPathDomainVerified: boolean;
  current?: DkimKey;
  pending?: DkimKey;
  revoked?: DkimKey;
  /** DKIMVerified stays true once ever verified. */
  dkimEverVerified: boolean;
  /** verifyDkim calls since the pending key appeared (Postmark's check is asynchronous). */
  pendingVerifyCalls: number;
  safeToRemoveRevoked: boolean;
  /** The latest selector ever issued for this domain (keeps selectors unique). */
  lastSelector?: string;
}

export type StoredServer = ServerDetails;

export interface PersistedState {
  version: 1;
  nextDomainId: number;
  nextServerId: number;
  domains: StoredDomain[];
  servers: StoredServer[];
  dns: DeclaredRecord[];
}

export interface AccountOptions {
  dkimBits?: 1024 | 2048;
  /** verifyDkim answers "still pending" until this many calls have been made (default 2). */
  dkimVerifyAfterCalls?: number;
  statePath?: string;
}

const SPF_TEXT = "v=spf1 a mx include:spf.mtasv.net ~all";

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
export function isDomainName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split(".");
  return labels.length >= 2 && labels.every((l) => LABEL.test(l)) && !/^\d+$/.test(labels[labels.length - 1]);
}

/** Postmark's selector form `YYYYMMDDhhmmss` + `pm` (UTC, 24-hour clock). */
export function selectorFor(date: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(date.getUTCFullYear(), 4)}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}pm`;
}

export async function generateDkimValue(bits: number): Promise<string> {
  const der = await new Promise<Buffer>((res, rej) =>
    generateKeyPair("rsa", { modulusLength: bits, publicKeyEncoding: { type: "spki", format: "der" }, privateKeyEncoding: { type: "pkcs8", format: "der" } }, (err, pub) =>
      err ? rej(err) : res(pub as unknown as Buffer),
    ),
  );
  return `k=rsa;p=${der.toString("base64")}`;
}

export class SandboxAccount {
  private domains = new Map<number, StoredDomain>();
  private nextDomainId = 1_000_001;
  /** The account's servers (their own module: they share only persistence with the domains). */
  readonly servers = new SandboxServers(() => this.persist());
  private readonly dkimBits: number;
  private readonly verifyAfter: number;
  private readonly statePath?: string;
  /** Lets the declared DNS records be persisted with the account. */
  dnsSnapshot: () => DeclaredRecord[] = () => [];

  constructor(options: AccountOptions = {}) {
    this.dkimBits = options.dkimBits ?? 1024;
    this.verifyAfter = Math.max(1, options.dkimVerifyAfterCalls ?? 2);
    this.statePath = options.statePath;
  }

  // ------------------------------------------------------------ persistence

  /** Load the state file if it exists; returns the declared DNS records it held. */
  load(): DeclaredRecord[] {
    if (!this.statePath || !existsSync(this.statePath)) return [];
    const raw = JSON.parse(readFileSync(this.statePath, "utf8")) as PersistedState;
    if (raw.version !== 1) throw new Error(`sandbox state file ${this.statePath}: unknown version ${String(raw.version)}`);
    this.restore(raw);
    return raw.dns ?? [];
  }

  restore(raw: PersistedState): void {
    this.domains = new Map(raw.domains.map((d) => [d.ID, d]));
    this.servers.restore(raw.servers, raw.nextServerId);
    this.nextDomainId = raw.nextDomainId;
  }

  snapshot(): PersistedState {
    return {
      version: 1,
      nextDomainId: this.nextDomainId,
      nextServerId: this.servers.nextId,
      domains: [...this.domains.values()],
      servers: this.servers.all(),
      dns: this.dnsSnapshot(),
    };
  }

  /** Crash-safe write (the project's one atomic-write helper). */
  persist(): void {
    if (!this.statePath) return;
    mkdirSync(dirname(this.statePath), { recursive: true });
    writeFileAtomic(this.statePath, JSON.stringify(this.snapshot()), 0o600);
  }

  reset(): void {
    this.domains.clear();
    this.servers.clear();
  }

  // ------------------------------------------------------------ domains

  listDomains(count: number, offset: number): { TotalCount: number; Domains: DomainSummary[] } {
    const all = [...this.domains.values()].sort((a, b) => a.ID - b.ID);
    return { TotalCount: all.length, Domains: all.slice(offset, offset + count).map((d) => this.summary(d)) };
  }

  private findByName(name: string): StoredDomain | undefined {
    const n = name.toLowerCase();
    for (const d of this.domains.values()) if (d.Name === n) return d;
    return undefined;
  }

  private domain(id: number): StoredDomain {
    const d = this.domains.get(id);
    if (!d) throw new SandboxError(422, 510, `Domain with ID ${id} not found.`);
    return d;
  }

  private checkReturnPath(name: string, rp: unknown): string {
    if (typeof rp !== "string") throw new SandboxError(422, 511, "Invalid 'ReturnPathDomain': must be a string.");
    const r = normName(rp);
    if (!isDomainName(r) || !r.endsWith(`.${name}`)) {
      throw new SandboxError(422, 511, `Invalid 'ReturnPathDomain' value: '${rp}' must be a sub-domain of ${name}.`);
    }
    return r;
  }

  /**
   * A fresh selector for this domain: its timestamp is now, or one second after the last selector
   * the domain ever had, so selectors never repeat even for rotations within the same second.
   */
  private freshSelector(d: StoredDomain): string {
    const last =
      [d.lastSelector, d.current?.selector, d.pending?.selector, d.revoked?.selector]
        .filter((x): x is string => !!x)
        .sort()
        .pop() ?? "";
    for (let t = Date.now(); ; t += 1000) {
      const s = selectorFor(new Date(t));
      if (s > last) {
        d.lastSelector = s;
        return s;
      }
    }
  }

  async createDomain(body: Record<string, unknown>): Promise<DomainDetails> {
    if (typeof body.Name !== "string" || !isDomainName(normName(body.Name))) {
      throw new SandboxError(422, 511, `Invalid 'Name': ${JSON.stringify(body.Name ?? null)} is not a domain name.`);
    }
    const name = normName(body.Name);
    // SANDBOX ASSUMPTION: Postmark's ErrorCode for "domain already exists" is unverified (probably 512).
    if (this.findByName(name)) throw new SandboxError(422, 512, "This domain already exists.");
    // SANDBOX ASSUMPTION: without ReturnPathDomain, Postmark's default is taken to be pm-bounces.<domain>.
    const rp = body.ReturnPathDomain === undefined || body.ReturnPathDomain === null || body.ReturnPathDomain === "" ? `pm-bounces.${name}` : this.checkReturnPath(name, body.ReturnPathDomain);
    const value = await generateDkimValue(this.dkimBits);
    // Re-check after the await: a concurrent create of the same name must still be refused.
    if (this.findByName(name)) throw new SandboxError(422, 512, "This domain already exists.");
    const d = this.newDomain(name, rp);
    d.pending = { selector: this.freshSelector(d), value };
    this.domains.set(d.ID, d);
    this.persist();
    return this.details(d);
  }

  private newDomain(name: string, rp: string): StoredDomain {
    return {
      ID: this.nextDomainId++,
      Name: name,
      ReturnPathDomain: rp,
      ReturnPathDomainVerified: false,
      dkimEverVerified: false,
      pendingVerifyCalls: 0,
      safeToRemoveRevoked: false,
    };
  }

  /**
   * Seed many domains fast (tests need 1,000): keys are generated lazily, on the first read of a
   * domain's details, so seeding does no RSA work. Names: `<prefix><n>.<zone>`.
   */
  seedDomains(count: number, prefix = "seed", zone = "sandbox.test"): { created: number; firstId: number | undefined } {
    let firstId: number | undefined;
    let created = 0;
    const stamp = selectorFor(new Date());
    for (let i = 1; created < count; i++) {
      const name = normName(`${prefix}${i}.${zone}`);
      if (this.findByName(name)) continue;
      const d = this.newDomain(name, `pm-bounces.${name}`);
      d.pending = { selector: stamp, value: "" };
      this.domains.set(d.ID, d);
      firstId ??= d.ID;
      created++;
    }
    this.persist();
    return { created, firstId };
  }

  async getDomain(id: number): Promise<DomainDetails> {
    return this.details(this.domain(id));
  }

  async editDomain(id: number, body: Record<string, unknown>): Promise<DomainDetails> {
    const d = this.domain(id);
    if (body.ReturnPathDomain !== undefined) {
      const rp = this.checkReturnPath(d.Name, body.ReturnPathDomain);
      if (rp !== d.ReturnPathDomain) {
        d.ReturnPathDomain = rp;
        d.ReturnPathDomainVerified = false;
      }
    }
    this.persist();
    return this.details(d);
  }

  deleteDomain(id: number): { ErrorCode: number; Message: string } {
    const d = this.domain(id);
    this.domains.delete(id);
    this.persist();
    return { ErrorCode: 0, Message: `Domain ${d.Name} removed.` };
  }

  /**
   * Postmark checks the TXT at the pending DKIM host, strings joined, byte-identical to the value.
   * Asynchronous like Postmark: the first call(s) answer still pending; a later call verifies —
   * only if the record is in DNS at that moment.
   */
  async verifyDkim(id: number, dns: DnsTruth): Promise<DomainDetails> {
    const d = this.domain(id);
    await this.ensureKey(d);
    if (d.pending) {
      d.pendingVerifyCalls++;
      const expected = d.pending.value;
      const found = await dns.txt(`${d.pending.selector}._domainkey.${d.Name}`);
      if (d.pendingVerifyCalls >= this.verifyAfter && found.some((v) => v === expected)) {
        if (d.current) {
          d.revoked = d.current;
          d.safeToRemoveRevoked = false;
        }
        d.current = d.pending;
        d.pending = undefined;
        d.pendingVerifyCalls = 0;
        d.dkimEverVerified = true;
      }
    } else if (d.revoked && !d.safeToRemoveRevoked) {
      // SANDBOX ASSUMPTION: once the new key has been current for one more check, Postmark no
      // longer signs with the old one, so its TXT may go.
      d.safeToRemoveRevoked = true;
    }
    this.persist();
    return this.details(d);
  }

  async verifyReturnPath(id: number, dns: DnsTruth): Promise<DomainDetails> {
    const d = this.domain(id);
    const targets = await dns.cname(d.ReturnPathDomain);
    d.ReturnPathDomainVerified = targets.includes(POSTMARK_RETURN_PATH_TARGET);
    this.persist();
    return this.details(d);
  }

  async rotateDkim(id: number): Promise<DomainDetails> {
    const d = this.domain(id);
    await this.ensureKey(d);
    if (d.pending) throw new SandboxError(422, 505, "This DKIM is already scheduled for renewal.");
    const value = await generateDkimValue(this.dkimBits);
    if (d.pending) throw new SandboxError(422, 505, "This DKIM is already scheduled for renewal.");
    d.pending = { selector: this.freshSelector(d), value };
    d.pendingVerifyCalls = 0;
    this.persist();
    return this.details(d);
  }

  private async ensureKey(d: StoredDomain): Promise<void> {
    if (d.pending && d.pending.value === "") {
      const value = await generateDkimValue(this.dkimBits);
      if (d.pending && d.pending.value === "") {
        d.pending.value = value;
        this.persist();
      }
    }
  }

  private summary(d: StoredDomain): DomainSummary {
    return {
      ID: d.ID,
      Name: d.Name,
      SPFVerified: false,
      DKIMVerified: d.dkimEverVerified,
      WeakDKIM: false,
      ReturnPathDomainVerified: d.ReturnPathDomainVerified,
    };
  }

  private async details(d: StoredDomain): Promise<DomainDetails> {
    await this.ensureKey(d);
    const host = (k?: DkimKey) => (k ? `${k.selector}._domainkey.${d.Name}` : "");
    return {
      ...this.summary(d),
      SPFHost: d.Name,
      SPFTextValue: SPF_TEXT,
      DKIMHost: host(d.current),
      DKIMTextValue: d.current?.value ?? "",
      DKIMPendingHost: host(d.pending),
      DKIMPendingTextValue: d.pending?.value ?? "",
      DKIMRevokedHost: host(d.revoked),
      DKIMRevokedTextValue: d.revoked?.value ?? "",
      SafeToRemoveRevokedKeyFromDNS: d.revoked ? d.safeToRemoveRevoked : false,
      DKIMUpdateStatus: d.pending ? "Pending" : "Verified",
      ReturnPathDomain: d.ReturnPathDomain,
      ReturnPathDomainCNAMEValue: POSTMARK_RETURN_PATH_TARGET,
    };
  }

  counts(): { domains: number; servers: number } {
    return { domains: this.domains.size, servers: this.servers.size };
  }
}
