import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Args } from "@oclif/core";
import { ArdaCommand, CliError } from "./base-command";
import { runInProcess } from "../testing/cli";
import { redact } from "../lib/redact";

const SECRET = "canary-secret-for-base-command-42";

/** A command that resolves a secret and then fails with it in the message (the worst case). */
class Leaky extends ArdaCommand<typeof Leaky> {
  static args = { mode: Args.string({ required: true }) };
  public async run(): Promise<{ ok: boolean; platform: string }> {
    const v = await this.readSecret("op://V/I/f", "test secret");
    this.progress(`progress mentioning ${v}`);
    if (this.args.mode === "plain") throw new Error(`upstream said: bad token ${v}`);
    if (this.args.mode === "cli") throw new CliError(`failed with ${v}`, `retry without ${v}`, 3, { echoed: v });
    return { ok: true, platform: this.platform().name };
  }
}

describe("ArdaCommand (the base every arda-mail command shares)", () => {
  let dir: string;
  let flags: string[];
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "base-cmd-"));
    fs.writeFileSync(path.join(dir, "s.json"), JSON.stringify({ "op://V/I/f": SECRET }));
    flags = ["--secrets", `file:${path.join(dir, "s.json")}`];
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("success with --json: the result alone on stdout, progress on stderr, secrets scrubbed everywhere", async () => {
    const o = await runInProcess(Leaky, ["ok", ...flags, "--json"]);
    expect(o.code).toBe(0);
    expect(JSON.parse(o.stdout)).toEqual({ ok: true, platform: "sandbox" });
    expect(o.stderr).toContain(`progress mentioning ${redact(SECRET)}`);
    expect(o.stdout + o.stderr).not.toContain(SECRET);
  });

  test("any error: non-zero, 'Error:' + 'Next:' on stderr, secret redacted; --json adds {error} on stdout", async () => {
    const plain = await runInProcess(Leaky, ["plain", ...flags, "--json"]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toContain(`Error: upstream said: bad token ${redact(SECRET)}`);
    expect(plain.stderr).toContain("Next: fix the cause above and re-run the same command");
    expect(JSON.parse(plain.stdout).error.message).toContain(redact(SECRET));
    const cli = await runInProcess(Leaky, ["cli", ...flags, "--json"]);
    expect(cli.code).toBe(3);
    expect(JSON.parse(cli.stdout)).toEqual({ error: { message: `failed with ${redact(SECRET)}`, next: `retry without ${redact(SECRET)}`, echoed: redact(SECRET) } });
    for (const o of [plain, cli]) expect(o.stdout + o.stderr).not.toContain(SECRET);
  });

  test("an unknown platform, a bad --secrets spec and a missing secret each say what to do", async () => {
    const p = await runInProcess(Leaky, ["ok", ...flags, "--platform", "nope"]);
    expect(p.code).toBe(1);
    expect(p.stderr).toContain('unknown platform "nope"');
    const s = await runInProcess(Leaky, ["ok", "--secrets", "vault"]);
    expect(s.stderr).toContain('--secrets "vault": expected "op" (1Password) or "file:<path>"');
    expect(s.stderr).toContain("Next: pass --secrets op or --secrets file:<path>");
    fs.writeFileSync(path.join(dir, "empty.json"), "{}");
    const m = await runInProcess(Leaky, ["ok", "--secrets", `file:${path.join(dir, "empty.json")}`]);
    expect(m.stderr).toContain("cannot resolve the test secret (secret op://V/I/f does not resolve");
    expect(m.stderr).toContain("Next: store it at op://V/I/f");
  });
});
