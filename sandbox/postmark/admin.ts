/**
 * Client for the sandbox's admin API (`/__sandbox/…`, no Postmark token). Works the same whether the
 * sandbox runs in-process (`startSandbox`) or as a child process (`SandboxAdmin.connect(url)`).
 */
import got from "got";
import type { DeclaredRecord, DnsRecordType } from "./dns";
import type { ActiveFault, FaultSpec } from "./faults";
import type { PersistedState } from "./state";
import type { RequestLogEntry } from "./request-log";

export class SandboxAdmin {
  constructor(readonly url: string) {}

  static connect(url: string): SandboxAdmin {
    return new SandboxAdmin(url.replace(/\/+$/, ""));
  }

  private async call<T>(method: "GET" | "POST" | "DELETE", what: string, body?: unknown): Promise<T> {
    const res = await got(`${this.url}/__sandbox/${what}`, {
      method,
      headers: { Accept: "application/json", "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      throwHttpErrors: false,
      retry: 0,
      timeout: { request: 30_000 },
      responseType: "text",
    });
    const parsed = res.body ? (JSON.parse(res.body) as unknown) : {};
    if (res.statusCode !== 200) {
      const m = (parsed as { Message?: string }).Message ?? res.body;
      throw new Error(`sandbox admin ${method} ${what}: HTTP ${res.statusCode}: ${m}`);
    }
    return parsed as T;
  }

  /** Declare DNS records the sandbox's verify calls will see. */
  async addDns(...records: DeclaredRecord[]): Promise<void> {
    await this.call("POST", "dns", { records });
  }

  async addTxt(name: string, value: string): Promise<void> {
    await this.addDns({ type: "TXT", name, value });
  }

  async addCname(name: string, target: string): Promise<void> {
    await this.addDns({ type: "CNAME", name, value: target });
  }

  async removeDns(type: DnsRecordType, name: string, value?: string): Promise<number> {
    return (await this.call<{ removed: number }>("DELETE", "dns", { type, name, value })).removed;
  }

  async listDns(): Promise<DeclaredRecord[]> {
    return (await this.call<{ records: DeclaredRecord[] }>("GET", "dns")).records;
  }

  async injectFault(spec: FaultSpec): Promise<ActiveFault> {
    return (await this.call<{ fault: ActiveFault }>("POST", "faults", spec)).fault;
  }

  async listFaults(): Promise<ActiveFault[]> {
    return (await this.call<{ faults: ActiveFault[] }>("GET", "faults")).faults;
  }

  async clearFaults(): Promise<void> {
    await this.call("DELETE", "faults");
  }

  /** Create `domains` domains at once (names `<prefix><n>.<zone>`, keys generated lazily). */
  async seedDomains(domains: number, prefix?: string, zone?: string): Promise<{ created: number; firstId?: number }> {
    return this.call("POST", "seed", { domains, prefix, zone });
  }

  /** Forget every domain, server, DNS record, fault and logged request. */
  async reset(): Promise<void> {
    await this.call("POST", "reset");
  }

  /** The whole account (includes server tokens: sandbox values, keep them out of logs anyway). */
  async state(): Promise<PersistedState> {
    return this.call("GET", "state");
  }

  /** Method, path and status of every API request served (never headers or bodies). */
  async requests(): Promise<RequestLogEntry[]> {
    return (await this.call<{ requests: RequestLogEntry[] }>("GET", "requests")).requests;
  }

  async clearRequests(): Promise<void> {
    await this.call("DELETE", "requests");
  }
}
