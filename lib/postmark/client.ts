/**
 * THE Postmark Account API client, shared by the Terraform provider and the CLI.
 *
 * Retry rules (why they differ by method):
 * - GET / PUT / DELETE are idempotent: retried on 429, 5xx, network errors and timeouts.
 * - POST (create domain, create server, rotate DKIM) is NOT idempotent: retried blindly only when
 *   Postmark's answer proves it was not processed (429, or the connection was refused before the
 *   request was sent). After an ambiguous failure (5xx, timeout, dropped connection) the client
 *   first looks for the object by name and returns it if the POST did land; only otherwise does it
 *   POST again. This is what prevents duplicate domains/servers.
 *
 * Answers: every 2xx answer is checked against its documented shape (./answers) before use, and an
 * answer about another object than the one asked for is refused; such an answer fails at once
 * (kind 'unexpected_answer', never retried, never followed by a create). Lists are walked only as
 * far as their first page's TotalCount promised. Redirects are never followed (kind 'redirect').
 *
 * Secrets: the account token travels only in a header; every error message is scrubbed of it and of
 * any server token this client has seen, and errors keep no reference to the HTTP library's error
 * (whose options carry the headers).
 */
import got, { RequestError, TimeoutError } from "got";
import type { z } from "zod";
import { scrub } from "../redact";
import { DomainDetailsSchema, DomainListSchema, PostmarkMessageSchema, ServerDetailsSchema, ServerListSchema, shapeProblem } from "./answers";
import { PostmarkApiError, PostmarkErrorKind, adviceFor, isNotFound, kindForStatus } from "./errors";
import { CreateDomainInput, CreateServerInput, DomainDetails, DomainSummary, EditDomainInput, EditServerInput, ErrorCodes, PostmarkMessage, ServerDetails } from "./types";

export { PostmarkApiError, isNotFound, isAlreadyExists } from "./errors";
export type { PostmarkErrorKind } from "./errors";

export const DEFAULT_API_URL = "https://api.postmarkapp.com";
/** Postmark's maximum page size for list endpoints. */
export const PAGE_SIZE = 500;

export interface RetryPolicy {
  /** Retries after the first attempt (0 = no retry). */
  limit: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface RetryInfo {
  method: string;
  path: string;
  /** Number of the attempt that just failed (1 = first). */
  attempt: number;
  delayMs: number;
  kind: PostmarkErrorKind;
  status: number;
  errorCode?: number;
  /** Message of the failure (scrubbed). */
  message: string;
}

export interface PostmarkClientOptions {
  accountToken: string;
  /** Default https://api.postmarkapp.com. Reading POSTMARK_API_URL is the caller's business. */
  apiUrl?: string;
  /** Per-attempt timeout, default 30 s. */
  timeoutMs?: number;
  retry?: RetryPolicy;
  onRetry?: (info: RetryInfo) => void;
}

export const DEFAULT_RETRY: RetryPolicy = { limit: 5, baseDelayMs: 300, maxDelayMs: 10_000 };
export const DEFAULT_TIMEOUT_MS = 30_000;

type Method = "GET" | "POST" | "PUT" | "DELETE";

/** Network error codes that prove the request never reached the server. */
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

interface AttemptFailure {
  error: PostmarkApiError;
  /** True when the request provably was not processed (safe to re-send a POST). */
  notProcessed: boolean;
  retryAfterMs?: number;
}

export class PostmarkClient {
  private readonly apiUrl: string;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly onRetry?: (info: RetryInfo) => void;
  /**
   * The account token plus every server token seen in an answer: scrubbed from all messages.
   * ECMAScript-private (#) so neither util.inspect, a logger nor JSON.stringify can show them.
   */
  readonly #secrets = new Set<string>();
  readonly #accountToken: string;

  constructor(options: PostmarkClientOptions) {
    if (!options.accountToken) throw new Error("PostmarkClient: accountToken is empty; resolve the Postmark account token reference first");
    checkToken(options.accountToken);
    this.#accountToken = options.accountToken;
    this.#secrets.add(options.accountToken);
    this.apiUrl = checkApiUrl(options.apiUrl ?? DEFAULT_API_URL);
    this.timeoutMs = checkTimeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    this.retry = checkRetry(options.retry ?? DEFAULT_RETRY);
    this.onRetry = options.onRetry;
  }

  /** Never show the token when a client object is logged. */
  toJSON(): Record<string, unknown> {
    return { apiUrl: this.apiUrl, timeoutMs: this.timeoutMs, retry: this.retry };
  }

  // ---------------------------------------------------------------- domains

  /** All domains of the account, walking every page (Postmark requires count AND offset). */
  async listDomains(): Promise<DomainSummary[]> {
    return this.listAll("/domains", DomainListSchema, (page) => page.Domains);
  }

  /** Postmark has no name filter on /domains: list all pages, then fetch the details. */
  async findDomainByName(name: string): Promise<DomainDetails | undefined> {
    const wanted = name.toLowerCase();
    const hit = (await this.listDomains()).find((d) => d.Name.toLowerCase() === wanted);
    if (!hit) return undefined;
    try {
      return this.sameDomain("GET", `/domains/${hit.ID}`, name, await this.getDomain(hit.ID));
    } catch (e) {
      if (isNotFound(e)) return undefined; // deleted between list and get
      throw e;
    }
  }

  async getDomain(id: number): Promise<DomainDetails> {
    const path = `/domains/${checkId(id)}`;
    return this.sameId("GET", path, id, await this.idempotent("GET", path, DomainDetailsSchema));
  }

  /**
   * Create a sending domain. A 422 (whatever its ErrorCode: 512 "exists" is unverified) is resolved
   * by listing: if the name exists, a PostmarkApiError kind 'already_exists' with `existingId`.
   */
  async createDomain(input: CreateDomainInput): Promise<DomainDetails> {
    const body: CreateDomainInput = { Name: input.Name };
    if (input.ReturnPathDomain !== undefined) body.ReturnPathDomain = input.ReturnPathDomain;
    const d = await this.createOnce(
      "/domains",
      body,
      DomainDetailsSchema,
      input.Name,
      () => this.findDomainByName(input.Name),
      (e) => e.status === 422,
    );
    // An answer about another domain must never reach the context or the state.
    return this.sameDomain("POST", "/domains", input.Name, d);
  }

  async editDomain(id: number, input: EditDomainInput): Promise<DomainDetails> {
    const path = `/domains/${checkId(id)}`;
    return this.sameId("PUT", path, id, await this.idempotent("PUT", path, DomainDetailsSchema, { ReturnPathDomain: input.ReturnPathDomain }));
  }

  async deleteDomain(id: number): Promise<PostmarkMessage> {
    return this.idempotent("DELETE", `/domains/${checkId(id)}`, PostmarkMessageSchema);
  }

  async verifyDkim(id: number): Promise<DomainDetails> {
    const path = `/domains/${checkId(id)}/verifyDkim`;
    return this.sameId("PUT", path, id, await this.idempotent("PUT", path, DomainDetailsSchema));
  }

  async verifyReturnPath(id: number): Promise<DomainDetails> {
    const path = `/domains/${checkId(id)}/verifyReturnPath`;
    return this.sameId("PUT", path, id, await this.idempotent("PUT", path, DomainDetailsSchema));
  }

  /**
   * Start a DKIM key rotation. Not idempotent: after an ambiguous failure the POST is re-sent, and a
   * 422 ErrorCode 505 ("already scheduled for renewal") then proves the first one landed, so the
   * current details are returned.
   */
  async rotateDkim(id: number): Promise<DomainDetails> {
    const path = `/domains/${checkId(id)}/rotatedkim`;
    let ambiguous: PostmarkApiError | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        return this.sameId("POST", path, id, await this.unsafePost(path, undefined, DomainDetailsSchema));
      } catch (e) {
        if (!(e instanceof PostmarkApiError)) throw e;
        if (ambiguous && e.status === 422 && e.errorCode === ErrorCodes.DkimAlreadyScheduled) {
          return this.getDomain(id);
        }
        if (!isAmbiguous(e) || attempt > this.retry.limit) throw e;
        ambiguous = e;
        await this.pause("POST", path, attempt, e);
      }
    }
  }

  // ---------------------------------------------------------------- servers

  /** All servers (with their ApiTokens: secrets). */
  async listServers(): Promise<ServerDetails[]> {
    const all = await this.listAll("/servers", ServerListSchema, (page) => page.Servers);
    for (const s of all) this.rememberServerTokens(s);
    return all;
  }

  async findServerByName(name: string): Promise<ServerDetails | undefined> {
    // The `name` filter narrows the list; the exact comparison is ours (it may match partially).
    const all = await this.listAll("/servers", ServerListSchema, (page) => page.Servers, { name });
    for (const s of all) this.rememberServerTokens(s);
    return all.find((s) => s.Name === name);
  }

  async getServer(id: number): Promise<ServerDetails> {
    const path = `/servers/${checkId(id)}`;
    const s = await this.idempotent("GET", path, ServerDetailsSchema);
    this.rememberServerTokens(s);
    return this.sameId("GET", path, id, s);
  }

  /** Create a server. The answer's ApiTokens are SECRETS: the caller stores them in 1Password only. */
  async createServer(input: CreateServerInput): Promise<ServerDetails> {
    const body: CreateServerInput = { Name: input.Name };
    if (input.SmtpApiActivated !== undefined) body.SmtpApiActivated = input.SmtpApiActivated;
    if (input.DeliveryType !== undefined) body.DeliveryType = input.DeliveryType;
    if (input.Color !== undefined) body.Color = input.Color;
    const s = await this.createOnce(
      "/servers",
      body,
      ServerDetailsSchema,
      input.Name,
      () => this.findServerByName(input.Name),
      (e) => e.status === 422 && (e.errorCode === ErrorCodes.ServerNameExists || e.kind === "already_exists"),
    );
    this.rememberServerTokens(s);
    if (s.Name !== input.Name) throw this.otherObject("POST", "/servers", `the create of server "${input.Name}"`, `server "${s.Name}" (ID ${s.ID})`);
    return s;
  }

  /** Edit a server's name, colour or SMTP switch (SmtpApiActivated defaults to false on creation). */
  async editServer(id: number, input: EditServerInput): Promise<ServerDetails> {
    const path = `/servers/${checkId(id)}`;
    const s = await this.idempotent("PUT", path, ServerDetailsSchema, input);
    this.rememberServerTokens(s);
    return this.sameId("PUT", path, id, s);
  }

  async deleteServer(id: number): Promise<PostmarkMessage> {
    return this.idempotent("DELETE", `/servers/${checkId(id)}`, PostmarkMessageSchema);
  }

  // ---------------------------------------------------------------- machinery

  private rememberServerTokens(s: ServerDetails): void {
    for (const t of s.ApiTokens ?? []) if (t) this.#secrets.add(t);
  }

  /**
   * Walk every page of a list endpoint (`items` says where a page's objects are). Bounded by what
   * the first page's TotalCount promised: a list that does not end there is Postmark misbehaving,
   * not a reason to keep asking.
   */
  private async listAll<P extends { TotalCount: number }, T>(path: string, schema: z.ZodType<P>, items: (page: P) => T[], extra: Record<string, string> = {}): Promise<T[]> {
    const out: T[] = [];
    let maxPages = 1;
    let promised = 0;
    for (let offset = 0, pages = 1; ; pages++) {
      const q = new URLSearchParams({ count: String(PAGE_SIZE), offset: String(offset), ...extra });
      const page = await this.idempotent("GET", `${path}?${q.toString()}`, schema);
      const list = items(page);
      if (pages === 1) {
        promised = page.TotalCount;
        // One more page than promised tolerates objects created while we walk.
        maxPages = Math.ceil(promised / PAGE_SIZE) + 1;
      }
      if (list.length > PAGE_SIZE) throw this.badList(path, `a page of ${list.length} objects, more than the ${PAGE_SIZE} asked for`);
      out.push(...list);
      offset += list.length;
      // Stop on the last page; an empty page also stops (guards against a shrinking list).
      if (list.length === 0 || offset >= page.TotalCount) return out;
      if (pages >= maxPages) throw this.badList(path, `${pages} pages and ${out.length} objects without reaching the end, although its first page said TotalCount ${promised}`);
    }
  }

  private badList(path: string, what: string): PostmarkApiError {
    return new PostmarkApiError({
      kind: "unexpected_answer",
      status: 200,
      method: "GET",
      path,
      message: this.clean(`Postmark GET ${path} gave an unexpected answer: ${what} — ${adviceFor("unexpected_answer", undefined)}`),
    });
  }

  /** An answer about another object than the one asked for is refused, never used. */
  private otherObject(method: string, path: string, asked: string, got: string): PostmarkApiError {
    return new PostmarkApiError({
      kind: "unexpected_answer",
      status: 200,
      method,
      path,
      message: this.clean(`Postmark ${method} ${path} gave an unexpected answer: ${asked} was answered with ${got} — ${adviceFor("unexpected_answer", undefined)}`),
    });
  }

  private sameId<T extends { ID: number; Name: string }>(method: string, path: string, id: number, got: T): T {
    if (got.ID !== id) throw this.otherObject(method, path, `a request about ID ${id}`, `"${got.Name}" (ID ${got.ID})`);
    return got;
  }

  private sameDomain(method: string, path: string, name: string, got: DomainDetails): DomainDetails {
    if (got.Name.toLowerCase() !== name.toLowerCase()) throw this.otherObject(method, path, `the request for domain "${name}"`, `domain "${got.Name}" (ID ${got.ID})`);
    return got;
  }

  /**
   * The create protocol: POST; on an ambiguous failure look the object up by name and return it if it
   * exists, else POST again. On a conflict-looking 422, list: an existing object becomes
   * 'already_exists' with its ID (or is returned, when an earlier ambiguous attempt of THIS call
   * most likely created it).
   */
  private async createOnce<T extends { ID: number }>(
    path: string,
    body: object,
    schema: z.ZodType<T>,
    name: string,
    find: () => Promise<T | undefined>,
    maybeConflict: (e: PostmarkApiError) => boolean,
  ): Promise<T> {
    let hadAmbiguous = false;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.unsafePost(path, body, schema);
      } catch (e) {
        if (!(e instanceof PostmarkApiError)) throw e;
        if (maybeConflict(e)) {
          const existing = await find();
          if (!existing) throw e;
          if (hadAmbiguous) return existing;
          throw new PostmarkApiError({
            kind: "already_exists",
            status: e.status,
            errorCode: e.errorCode,
            postmarkMessage: e.postmarkMessage,
            method: "POST",
            path,
            existingId: existing.ID,
            message: this.clean(
              `Postmark POST ${path}: "${name}" already exists (ID ${existing.ID}; HTTP ${e.status}, ErrorCode ${e.errorCode ?? "none"}: ${e.postmarkMessage ?? ""}) — ${adviceFor("already_exists", e.errorCode)}`,
            ),
          });
        }
        if (!isAmbiguous(e)) throw e;
        hadAmbiguous = true;
        // The POST may have landed: never re-POST before checking by name.
        const existing = await find();
        if (existing) return existing;
        if (attempt > this.retry.limit) throw e;
        await this.pause("POST", path, attempt, e);
      }
    }
  }

  /** A POST retried only when provably not processed (429, connection refused). */
  private async unsafePost<T>(path: string, body: object | undefined, schema: z.ZodType<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const r = await this.attempt("POST", path, body, schema);
      if (r.ok) return r.value;
      const f = r.failure;
      const retryable = f.notProcessed;
      if (!retryable || attempt > this.retry.limit) throw withAttempts(f.error, attempt);
      await this.pause("POST", path, attempt, f.error, f.retryAfterMs);
    }
  }

  private async idempotent<T>(method: Method, path: string, schema: z.ZodType<T>, body?: object): Promise<T> {
    let ambiguous = false;
    for (let attempt = 1; ; attempt++) {
      const r = await this.attempt(method, path, body, schema);
      if (r.ok) return r.value;
      const f = r.failure;
      // A DELETE whose earlier answer was lost and that now finds nothing did its job.
      if (method === "DELETE" && ambiguous && isNotFound(f.error)) {
        return { ErrorCode: 0, Message: "Already deleted (an earlier attempt's answer was lost)." } as T;
      }
      ambiguous ||= isAmbiguous(f.error);
      const retryable = ["rate_limited", "server", "network", "timeout"].includes(f.error.kind);
      if (!retryable || attempt > this.retry.limit) throw withAttempts(f.error, attempt);
      await this.pause(method, path, attempt, f.error, f.retryAfterMs);
    }
  }

  private async pause(method: string, path: string, attempt: number, e: PostmarkApiError, retryAfterMs?: number): Promise<void> {
    const exp = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    // "Equal jitter": half fixed, half random, so concurrent callers spread out but still back off.
    let delayMs = Math.round(exp / 2 + Math.random() * (exp / 2));
    if (retryAfterMs !== undefined) delayMs = Math.min(this.retry.maxDelayMs, Math.max(delayMs, retryAfterMs));
    this.onRetry?.({ method, path: pathOnly(path), attempt, delayMs, kind: e.kind, status: e.status, errorCode: e.errorCode, message: e.message });
    await new Promise((res) => setTimeout(res, delayMs));
  }

  private async attempt<T>(method: Method, path: string, body: object | undefined, schema: z.ZodType<T>): Promise<{ ok: true; value: T } | { ok: false; failure: AttemptFailure }> {
    const shownPath = pathOnly(path);
    let res;
    try {
      res = await got(`${this.apiUrl}${path}`, {
        method,
        headers: {
          Accept: "application/json",
          "Content-Type": "application/json",
          "X-Postmark-Account-Token": this.#accountToken,
          "User-Agent": "arda-mail",
        },
        body: body === undefined ? (method === "GET" || method === "DELETE" ? undefined : "{}") : JSON.stringify(body),
        timeout: { request: this.timeoutMs },
        retry: 0,
        throwHttpErrors: false,
        followRedirect: false,
        responseType: "text",
      });
    } catch (e) {
      return { ok: false, failure: this.networkFailure(method, shownPath, e) };
    }
    const status = res.statusCode;
    let parsed: unknown;
    let json = true;
    try {
      parsed = res.body.length ? JSON.parse(res.body) : undefined;
    } catch {
      json = false;
    }
    if (status >= 200 && status < 300) {
      const checked = json && parsed !== undefined ? schema.safeParse(parsed) : undefined;
      if (checked?.success) return { ok: true, value: checked.data };
      const why = !json ? "not JSON" : parsed === undefined ? "an empty body" : shapeProblem(checked!.error);
      const error = new PostmarkApiError({
        kind: "unexpected_answer",
        status,
        method,
        path: shownPath,
        message: this.clean(`Postmark ${method} ${shownPath} gave an unexpected answer: HTTP ${status}, ${why}; it began ${this.firstBytes(res.body)} — ${adviceFor("unexpected_answer", undefined)}`),
      });
      return { ok: false, failure: { error, notProcessed: false } };
    }
    const pm = parsed as Partial<PostmarkMessage> | undefined;
    const errorCode = typeof pm?.ErrorCode === "number" ? pm.ErrorCode : undefined;
    const postmarkMessage = typeof pm?.Message === "string" ? this.clean(pm.Message) : undefined;
    const kind = kindForStatus(status, errorCode);
    const codeText = errorCode !== undefined ? `ErrorCode ${errorCode}` : "no ErrorCode";
    const location = typeof res.headers.location === "string" ? res.headers.location : "";
    const head =
      kind === "unauthorized"
        ? `Postmark rejected the account token (HTTP ${status}, ${codeText}) on ${method} ${shownPath}`
        : kind === "redirect"
          ? `Postmark ${method} ${shownPath} answered HTTP ${status}, a redirect${location ? ` to ${this.firstBytes(location)}` : ""}`
          : `Postmark ${method} ${shownPath} failed: HTTP ${status} (${codeText})`;
    // Not Postmark's error body (a proxy's HTML page, say): show how it began.
    const said = postmarkMessage ? `: ${postmarkMessage}` : kind === "redirect" ? "" : `; the answer began ${this.firstBytes(res.body)}`;
    const error = new PostmarkApiError({
      kind,
      status,
      errorCode,
      postmarkMessage,
      method,
      path: shownPath,
      message: this.clean(`${head}${said} — ${adviceFor(kind, errorCode)}`),
    });
    const retryAfter = Number(res.headers["retry-after"]);
    return {
      ok: false,
      failure: { error, notProcessed: status === 429, retryAfterMs: Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : undefined },
    };
  }

  private networkFailure(method: string, path: string, e: unknown): AttemptFailure {
    const code = e instanceof RequestError ? e.code : undefined;
    const timedOut = e instanceof TimeoutError;
    const kind: PostmarkErrorKind = timedOut ? "timeout" : "network";
    const what = timedOut ? `no answer within ${this.timeoutMs} ms` : `${code ?? "network error"}: ${e instanceof Error ? e.message : String(e)}`;
    const error = new PostmarkApiError({
      kind,
      status: 0,
      method,
      path,
      networkCode: code,
      message: this.clean(`Postmark ${method} ${path} at ${this.apiUrl} failed: ${what} — ${adviceFor(kind, undefined)}`),
    });
    return { error, notProcessed: !timedOut && code !== undefined && NOT_SENT_CODES.has(code) };
  }

  private clean(text: string): string {
    return scrub(text, this.#secrets);
  }

  /** The first bytes of an answer, quoted, with secrets and anything token-shaped redacted. */
  private firstBytes(raw: string): string {
    if (raw.length === 0) return "(an empty body)";
    const shown = this.clean(raw.slice(0, 4096)).replace(TOKEN_SHAPED, "<redacted>");
    return JSON.stringify(shown.slice(0, FIRST_BYTES)) + (raw.length > FIRST_BYTES ? "…" : "");
  }
}

/** How much of an unexpected answer a message shows. */
const FIRST_BYTES = 120;
/** Postmark tokens are UUIDs: never echo one from an answer (a server's ApiTokens, say). */
const TOKEN_SHAPED = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * The token travels in a header: a character a header cannot carry (a trailing newline from a
 * copy-paste, say) would make every request fail as a "network error". Say so at once, naming the
 * character and where it is — never the token.
 */
function checkToken(token: string): void {
  const at = [...token].findIndex((c) => !/^[\x21-\x7e]$/.test(c));
  if (at < 0) return;
  const c = [...token][at];
  const what = c === "\n" ? "a newline" : c === "\r" ? "a carriage return" : c === " " ? "a space" : c === "\t" ? "a tab" : /[\x00-\x1f\x7f]/.test(c) ? "a control character" : "a non-ASCII character";
  throw new PostmarkApiError({
    kind: "bad_token",
    status: 0,
    method: "-",
    path: "-",
    message: `the Postmark account token contains ${what} (character ${at + 1} of ${[...token].length}), which an HTTP header cannot carry; nothing was sent to Postmark — ${adviceFor("bad_token", undefined)}`,
  });
}

function checkTimeout(ms: number): number {
  if (!Number.isFinite(ms) || ms <= 0 || ms > 600_000) throw new RangeError(`Postmark client timeout must be 1 ms … 600 s, got ${String(ms)} ms`);
  return ms;
}

function checkRetry(r: RetryPolicy): RetryPolicy {
  const ok = (n: number, max: number) => Number.isInteger(n) && n >= 0 && n <= max;
  if (!ok(r.limit, 20) || !ok(r.baseDelayMs, 600_000) || !ok(r.maxDelayMs, 600_000)) {
    throw new RangeError(`Postmark retry policy must be whole numbers (limit 0…20, delays 0…600000 ms), got ${JSON.stringify(r)}`);
  }
  return r;
}

/** A failure after which a non-idempotent POST may or may not have been processed. */
function isAmbiguous(e: PostmarkApiError): boolean {
  if (e.kind === "server" || e.kind === "timeout") return true;
  return e.kind === "network" && !(e.networkCode !== undefined && NOT_SENT_CODES.has(e.networkCode));
}

function withAttempts(e: PostmarkApiError, attempts: number): PostmarkApiError {
  (e as { attempts: number }).attempts = attempts;
  return e;
}

function pathOnly(path: string): string {
  const i = path.indexOf("?");
  return i < 0 ? path : path.slice(0, i);
}

/** The base URL must be http(s) without query or fragment; a trailing slash is dropped. */
function checkApiUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Error(`Postmark API URL "${raw}" is not a URL (expected e.g. https://api.postmarkapp.com or the sandbox's http://127.0.0.1:<port>)`);
  }
  if ((u.protocol !== "https:" && u.protocol !== "http:") || u.search || u.hash || u.username || u.password) {
    throw new Error(`Postmark API URL "${u.protocol}//${u.host}${u.pathname}" must be http(s)://host[:port][/path] without credentials, query or fragment`);
  }
  return raw.replace(/\/+$/, "");
}

/** IDs go into URL paths: accept only positive integers (no path injection through an ID). */
function checkId(id: number): number {
  if (!Number.isSafeInteger(id) || id <= 0) throw new RangeError(`Postmark object ID must be a positive integer, got ${String(id)}`);
  return id;
}
