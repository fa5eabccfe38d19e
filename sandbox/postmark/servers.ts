/** The sandbox account's Postmark servers: list (with the name filter), get, create, edit, delete. */
import { randomBytes, randomUUID } from "node:crypto";
import type { DeliveryType, ServerDetails } from "../../lib/postmark/types";
import { SandboxError } from "./sandbox-error";

type StoredServer = ServerDetails;

export class SandboxServers {
  private byId = new Map<number, StoredServer>();
  nextId = 5_000_001;

  constructor(private readonly persist: () => void) {}

  restore(servers: readonly StoredServer[], nextId: number): void {
    this.byId = new Map(servers.map((s) => [s.ID, s]));
    this.nextId = nextId;
  }

  all(): StoredServer[] {
    return [...this.byId.values()];
  }

  clear(): void {
    this.byId.clear();
  }

  get size(): number {
    return this.byId.size;
  }

  list(count: number, offset: number, name?: string): { TotalCount: number; Servers: ServerDetails[] } {
    let all = [...this.byId.values()].sort((a, b) => a.ID - b.ID);
    // SANDBOX ASSUMPTION: Postmark's `name` filter matches case-insensitively on part of the name.
    if (name) all = all.filter((s) => s.Name.toLowerCase().includes(name.toLowerCase()));
    return { TotalCount: all.length, Servers: all.slice(offset, offset + count).map((s) => ({ ...s, ApiTokens: [...s.ApiTokens] })) };
  }

  private server(id: number): StoredServer {
    const s = this.byId.get(id);
    if (!s) throw new SandboxError(422, 601, `Server with ID ${id} does not exist.`);
    return s;
  }

  get(id: number): ServerDetails {
    const s = this.server(id);
    return { ...s, ApiTokens: [...s.ApiTokens] };
  }

  create(body: Record<string, unknown>): ServerDetails {
    const name = typeof body.Name === "string" ? body.Name.trim() : "";
    if (!name) throw new SandboxError(422, 511, "Invalid 'Name': a server name is required.");
    if ([...this.byId.values()].some((s) => s.Name.toLowerCase() === name.toLowerCase())) {
      throw new SandboxError(422, 603, "This server name already exists.");
    }
    const delivery = body.DeliveryType ?? "Live";
    if (delivery !== "Live" && delivery !== "Sandbox") throw new SandboxError(422, 511, `Invalid 'DeliveryType': ${JSON.stringify(delivery)} (Live or Sandbox).`);
    if (body.SmtpApiActivated !== undefined && typeof body.SmtpApiActivated !== "boolean") throw new SandboxError(422, 511, "Invalid 'SmtpApiActivated': must be a boolean.");
    const id = this.nextId++;
    const hash = randomBytes(16).toString("hex");
    const s: StoredServer = {
      ID: id,
      Name: name,
      ApiTokens: [randomUUID()],
      Color: typeof body.Color === "string" ? body.Color : "Purple",
      SmtpApiActivated: body.SmtpApiActivated === true,
      RawEmailEnabled: false,
      DeliveryType: delivery as DeliveryType,
      ServerLink: `https://account.postmarkapp.com/servers/${id}/streams`,
      InboundAddress: `${hash}@inbound.postmarkapp.com`,
      InboundHookUrl: "",
      BounceHookUrl: "",
      OpenHookUrl: "",
      DeliveryHookUrl: "",
      ClickHookUrl: "",
      PostFirstOpenOnly: false,
      InboundDomain: "",
      InboundHash: hash,
      InboundSpamThreshold: 0,
      TrackOpens: false,
      TrackLinks: "None",
      IncludeBounceContentInHook: false,
      EnableSmtpApiErrorHooks: false,
    };
    this.byId.set(id, s);
    this.persist();
    return { ...s, ApiTokens: [...s.ApiTokens] };
  }

  edit(id: number, body: Record<string, unknown>): ServerDetails {
    const s = this.server(id);
    if (body.Name !== undefined) {
      const name = typeof body.Name === "string" ? body.Name.trim() : "";
      if (!name) throw new SandboxError(422, 511, "Invalid 'Name': a server name is required.");
      if ([...this.byId.values()].some((x) => x.ID !== id && x.Name.toLowerCase() === name.toLowerCase())) throw new SandboxError(422, 603, "This server name already exists.");
      s.Name = name;
    }
    if (body.Color !== undefined) s.Color = String(body.Color);
    if (body.SmtpApiActivated !== undefined) {
      if (typeof body.SmtpApiActivated !== "boolean") throw new SandboxError(422, 511, "Invalid 'SmtpApiActivated': must be a boolean.");
      s.SmtpApiActivated = body.SmtpApiActivated;
    }
    this.persist();
    return { ...s, ApiTokens: [...s.ApiTokens] };
  }

  delete(id: number): { ErrorCode: number; Message: string } {
    const s = this.server(id);
    this.byId.delete(id);
    this.persist();
    return { ErrorCode: 0, Message: `Server ${s.Name} removed.` };
  }
}
