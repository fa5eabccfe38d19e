/**
 * Fault injection: make the sandbox misbehave the ways Postmark (or the network) can, so the
 * client's retry and no-duplicate logic is exercised against a real HTTP server.
 *
 * - status: answer N requests with an HTTP status (429, 500, 503 …) and a Postmark error body.
 * - delay:  hold N answers for delayMs (a slow Postmark; with a short client timeout, a timeout).
 * - drop:   destroy the socket of N requests without answering (a dropped connection).
 * - answer: answer N requests with any status, raw body and headers (a misbehaving Postmark, a proxy
 *           or a portal: a 200 that is not the documented shape, a 302 with a Location …).
 *
 * `phase` says when the fault strikes: "before" the request is processed (nothing changed), or
 * "after" it was processed (the change happened, but the caller cannot know: the ambiguous case).
 * A fault may be scoped to a method and/or a path prefix (e.g. POST /domains).
 */
export type FaultKind = "status" | "delay" | "drop" | "answer";
export type FaultPhase = "before" | "after";

export interface FaultSpec {
  kind: FaultKind;
  /** How many matching requests it affects (default 1). */
  count?: number;
  /** kind 'status': the HTTP status (default 503); kind 'answer': any status 200-599 (default 200). */
  status?: number;
  /** kind 'answer': the raw body, sent as is (default ""). */
  body?: string;
  /** kind 'answer': extra response headers (e.g. Location). */
  headers?: Record<string, string>;
  /** kind 'status': the body's ErrorCode (default: 429 for 429, else 0). */
  errorCode?: number;
  /** kind 'delay': milliseconds. */
  delayMs?: number;
  phase?: FaultPhase;
  method?: string;
  pathPrefix?: string;
}

export interface ActiveFault extends Required<Pick<FaultSpec, "kind" | "phase">> {
  id: number;
  remaining: number;
  status?: number;
  errorCode?: number;
  delayMs?: number;
  body?: string;
  headers?: Record<string, string>;
  method?: string;
  pathPrefix?: string;
  /** How many requests it has hit so far. */
  hits: number;
}

export class FaultBook {
  private faults: ActiveFault[] = [];
  private nextId = 1;

  /** Validate and add a fault; throws an Error naming the bad field. */
  add(spec: FaultSpec): ActiveFault {
    if (!spec || !["status", "delay", "drop", "answer"].includes(spec.kind)) throw new Error(`fault kind must be "status", "delay", "drop" or "answer", got ${JSON.stringify(spec?.kind)}`);
    const count = spec.count ?? 1;
    if (!Number.isInteger(count) || count < 1) throw new Error(`fault count must be a positive integer, got ${JSON.stringify(spec.count)}`);
    const phase = spec.phase ?? "before";
    if (phase !== "before" && phase !== "after") throw new Error(`fault phase must be "before" or "after", got ${JSON.stringify(spec.phase)}`);
    const f: ActiveFault = { id: this.nextId++, kind: spec.kind, phase, remaining: count, hits: 0 };
    if (spec.kind === "status") {
      const status = spec.status ?? 503;
      if (!Number.isInteger(status) || status < 400 || status > 599) throw new Error(`fault status must be an HTTP error status 400-599, got ${JSON.stringify(spec.status)}`);
      f.status = status;
      f.errorCode = spec.errorCode ?? (status === 429 ? 429 : 0);
    }
    if (spec.kind === "answer") {
      const status = spec.status ?? 200;
      if (!Number.isInteger(status) || status < 200 || status > 599) throw new Error(`fault status must be an HTTP status 200-599, got ${JSON.stringify(spec.status)}`);
      if (spec.body !== undefined && typeof spec.body !== "string") throw new Error(`fault body must be a string (the raw answer), got ${JSON.stringify(spec.body)}`);
      const headers = spec.headers ?? {};
      if (typeof headers !== "object" || Array.isArray(headers) || Object.entries(headers).some(([k, v]) => !/^[A-Za-z0-9-]+$/.test(k) || typeof v !== "string" || /[\r\n]/.test(v))) {
        throw new Error(`fault headers must map header names to single-line strings, got ${JSON.stringify(spec.headers)}`);
      }
      f.status = status;
      f.body = spec.body ?? "";
      f.headers = { ...headers };
    }
    if (spec.kind === "delay") {
      const d = spec.delayMs;
      if (typeof d !== "number" || !Number.isFinite(d) || d < 0 || d > 600_000) throw new Error(`fault delayMs must be 0..600000, got ${JSON.stringify(d)}`);
      f.delayMs = d;
    }
    if (spec.method !== undefined) f.method = String(spec.method).toUpperCase();
    if (spec.pathPrefix !== undefined) f.pathPrefix = String(spec.pathPrefix);
    this.faults.push(f);
    return { ...f };
  }

  /** Take the first fault matching this request (consuming one of its count). */
  take(method: string, path: string): ActiveFault | undefined {
    const f = this.faults.find((x) => x.remaining > 0 && (x.method === undefined || x.method === method) && (x.pathPrefix === undefined || path.startsWith(x.pathPrefix)));
    if (!f) return undefined;
    f.remaining--;
    f.hits++;
    const copy = { ...f };
    if (f.remaining === 0) this.faults = this.faults.filter((x) => x !== f);
    return copy;
  }

  list(): ActiveFault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  clear(): void {
    this.faults = [];
  }
}
