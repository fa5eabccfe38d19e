import * as path from "node:path";
import { Command, Flags, Interfaces } from "@oclif/core";
import { contextFilePath } from "../platform/mail-context";
import { PlatformValidationError } from "../platform/load";
import { loadSelectedPlatform, type SelectedPlatform } from "../platform/select";
import type { Platform } from "../platform/model";
import { scrub } from "../lib/redact";
import { selectSecretStore, SecretNotFoundError, type SecretStore } from "../lib/secrets";
import { PostmarkClient, PostmarkApiError, DEFAULT_API_URL, DEFAULT_RETRY, DEFAULT_TIMEOUT_MS, type RetryInfo } from "../lib/postmark/client";
import { FlowError } from "../flows/errors";
import { CliError, FailedWithResult } from "./lib/errors";

export { CliError } from "./lib/errors";

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof ArdaCommand)["baseFlags"] & T["flags"]>;
export type BaseArgs<T extends typeof Command> = Interfaces.InferredArgs<T["args"]>;

/** `--postmark-timeout <seconds>`: a positive number of seconds, at most 600 (fractions allowed). */
export function parseTimeoutSeconds(input: string): number {
  const s = input.trim();
  const n = /^\d+(\.\d+)?$/.test(s) ? Number(s) : NaN;
  if (!(n > 0 && n <= 600)) throw new Error(`--postmark-timeout must be a number of seconds above 0 and at most 600 (e.g. 30 or 2.5), got "${input}"`);
  return n;
}

/**
 * The base of every `arda-mail` command.
 *
 * Output contract: with `--json` the command's return value is the only thing on stdout; human
 * progress always goes to stderr (`this.progress`). A failure prints what went wrong and what to do
 * next, exits non-zero, and — in `--json` mode — also prints `{"error": {...}}` on stdout. Every
 * secret the command resolved (through `this.readSecret`) or remembered (`this.rememberSecret`) is
 * scrubbed from every error text before it is printed.
 *
 * Subclasses read parsed input from `this.flags` / `this.args` (parsed once in `init`).
 */
export abstract class ArdaCommand<T extends typeof Command> extends Command {
  static enableJsonFlag = true;

  static baseFlags = {
    platform: Flags.string({
      description: "platform model to use (platform/<name>.platform.json)",
      env: "ARDA_MAIL_PLATFORM",
      helpGroup: "GLOBAL",
    }),
    secrets: Flags.string({
      description: 'secret store: "op" (1Password via OP_SERVICE_ACCOUNT_TOKEN or the desktop app) or "file:<path>" (JSON map op://… → value)',
      env: "ARDA_MAIL_SECRETS",
      helpGroup: "GLOBAL",
    }),
    "postmark-url": Flags.string({
      description: `Postmark API base URL (default ${DEFAULT_API_URL}; the sandbox prints its own)`,
      env: "POSTMARK_API_URL",
      helpGroup: "GLOBAL",
    }),
    "postmark-timeout": Flags.custom<number>({
      description: `seconds to wait for each Postmark answer before it counts as a timeout (default ${DEFAULT_TIMEOUT_MS / 1000})`,
      helpValue: "<seconds>",
      helpGroup: "GLOBAL",
      parse: async (input) => parseTimeoutSeconds(input),
    })(),
    "postmark-retries": Flags.integer({
      description: `retries of a Postmark call after a rate limit, server error, timeout or dropped connection (default ${DEFAULT_RETRY.limit}; a create is re-sent only when it provably did not land)`,
      helpValue: "<n>",
      min: 0,
      max: 10,
      helpGroup: "GLOBAL",
    }),
    "context-file": Flags.string({
      description: "cdktf.json-shaped file holding the register output (default: the platform's contextFile)",
      env: "ARDA_MAIL_CONTEXT_FILE",
      helpGroup: "GLOBAL",
    }),
  };

  protected flags!: BaseFlags<T>;
  protected args!: BaseArgs<T>;
  /** Values never to print: scrubbed from every error and progress line. */
  protected readonly knownSecrets = new Set<string>([process.env.OP_SERVICE_ACCOUNT_TOKEN ?? ""].filter(Boolean));
  private selectionCache?: SelectedPlatform;
  private secretStoreCache?: SecretStore;

  public async init(): Promise<void> {
    await super.init();
    const ctor = this.ctor as typeof ArdaCommand & T;
    const { args, flags } = await this.parse({
      flags: ctor.flags,
      baseFlags: (super.ctor as typeof ArdaCommand).baseFlags,
      enableJsonFlag: ctor.enableJsonFlag,
      args: ctor.args,
      strict: ctor.strict,
    });
    this.flags = flags as BaseFlags<T>;
    this.args = args as BaseArgs<T>;
  }

  /** The platform model (`--platform`, ARDA_MAIL_PLATFORM, ARDA_MAIL_PLATFORM_FILE, else `sandbox`), validated once. */
  protected platform(): Platform {
    return this.selection().platform;
  }

  /** The model file the selected platform was read from (`backend set` rewrites it). */
  protected platformFile(): string {
    return this.selection().file;
  }

  private selection(): SelectedPlatform {
    if (!this.selectionCache) {
      try {
        this.selectionCache = loadSelectedPlatform(this.flags.platform as string | undefined);
      } catch (e) {
        if (e instanceof PlatformValidationError) throw new CliError(e.message, `fix the platform model, or choose another one with --platform (known: sandbox, arda)`);
        throw e;
      }
    }
    return this.selectionCache;
  }

  /** The context file register writes: `--context-file`, ARDA_MAIL_CONTEXT_FILE, else the platform's own. */
  protected contextFile(): string {
    const explicit = this.flags["context-file"] as string | undefined;
    return explicit ? path.resolve(explicit) : contextFilePath(this.platform(), {});
  }

  protected secretStore(): SecretStore {
    if (!this.secretStoreCache) {
      try {
        this.secretStoreCache = selectSecretStore(this.flags.secrets as string | undefined);
      } catch (e) {
        throw new CliError((e as Error).message, "pass --secrets op or --secrets file:<path> (or set ARDA_MAIL_SECRETS)");
      }
    }
    return this.secretStoreCache;
  }

  /** Resolve a secret and remember its value for scrubbing. `purpose` appears in the error. */
  protected async readSecret(ref: string, purpose: string): Promise<string> {
    const store = this.secretStore();
    let value: string;
    try {
      value = await store.read(ref);
    } catch (e) {
      if (!(e instanceof SecretNotFoundError)) {
        // The store itself is broken (a secrets file that is a directory, unreadable, not JSON): say so.
        throw new CliError(`cannot resolve the ${purpose} (${ref}): ${(e as Error).message}`, `fix ${store.description}, or choose another store with --secrets / ARDA_MAIL_SECRETS`);
      }
      throw new CliError(
        `cannot resolve the ${purpose} (${e.message})`,
        `store it at ${ref} in ${store.description}, or check --secrets / ARDA_MAIL_SECRETS and your 1Password access (OP_SERVICE_ACCOUNT_TOKEN)`,
      );
    }
    this.rememberSecret(value);
    return value;
  }

  protected rememberSecret(value: string | undefined): void {
    if (value) this.knownSecrets.add(value);
  }

  protected postmarkUrl(): string {
    return (this.flags["postmark-url"] as string | undefined) ?? DEFAULT_API_URL;
  }

  /** THE Postmark client (lib/postmark/client.ts), with retries reported as progress. */
  protected postmark(accountToken: string): PostmarkClient {
    this.rememberSecret(accountToken);
    return new PostmarkClient({
      accountToken,
      apiUrl: this.postmarkUrl(),
      retry: this.flags["postmark-retries"] === undefined ? undefined : { ...DEFAULT_RETRY, limit: this.flags["postmark-retries"] as number },
      timeoutMs: this.flags["postmark-timeout"] === undefined ? undefined : Math.max(1, Math.round((this.flags["postmark-timeout"] as number) * 1000)),
      onRetry: (r: RetryInfo) => this.progress(`  Postmark ${r.method} ${r.path}: ${r.kind} (HTTP ${r.status || "-"}), retry ${r.attempt} in ${r.delayMs} ms`),
    });
  }

  /** Human progress: always stderr, so stdout stays machine-readable. */
  protected progress(message: string): void {
    process.stderr.write(`${this.clean(message)}\n`);
  }

  /** Scrub every known secret from a text. */
  protected clean(text: string): string {
    return scrub(text, this.knownSecrets);
  }

  protected fail(message: string, next: string, detail?: Record<string, unknown>): never {
    throw new CliError(message, next, 1, detail);
  }

  /** `--json` output: plain JSON (never colorized) straight to stdout. */
  public logJson(json: unknown): void {
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  }

  public async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    // oclif's own control flow (this.exit, --help, --version) passes through untouched.
    if (err.oclif?.exit !== undefined && !(err instanceof FlowError) && err.name === "ExitError") throw err;
    if (err instanceof FailedWithResult) {
      if (this.jsonEnabled()) process.stdout.write(`${this.clean(JSON.stringify(err.result, null, 2))}\n`);
      process.stderr.write(`${this.clean(`Error: ${err.message}`)}\n`);
      return this.exit(err.exitCode);
    }
    const { message, next, code, detail } = describe(err);
    const text = this.clean(message);
    const nextText = this.clean(next);
    if (this.jsonEnabled()) {
      process.stdout.write(`${JSON.stringify({ error: { message: text, next: nextText, ...(detail ? JSON.parse(this.clean(JSON.stringify(detail))) : {}) } }, null, 2)}\n`);
    }
    process.stderr.write(`Error: ${text}\nNext: ${nextText}\n`);
    return this.exit(code);
  }
}

function describe(err: Error & { oclif?: { exit?: number } }): { message: string; next: string; code: number; detail?: Record<string, unknown> } {
  if (err instanceof CliError) return { message: err.message, next: err.next, code: err.exitCode, detail: err.detail };
  if (err instanceof FlowError) return { message: err.message, next: err.next, code: 1, detail: err.detail };
  if (err instanceof PostmarkApiError) {
    return {
      message: err.message,
      next: "fix the cause above and re-run the same command: it is idempotent",
      code: 1,
      detail: { postmark: { kind: err.kind, status: err.status, errorCode: err.errorCode } },
    };
  }
  // oclif parse errors (missing argument, unknown flag) carry their own text.
  if (err.oclif?.exit !== undefined || err.name === "CLIError" || /Missing \d+ required arg|Unexpected argument|Nonexistent flag|^Parsing --/.test(err.message)) {
    return { message: err.message, next: "see --help for the arguments and an example", code: 2 };
  }
  return { message: err.message || String(err), next: "fix the cause above and re-run the same command", code: 1 };
}
