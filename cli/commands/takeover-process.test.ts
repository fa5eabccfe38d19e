/**
 * `arda-mail takeover` as an operator runs it (a real process) on the sandbox's local AWS: Root,
 * interrupted by SIGINT during its adopt — the apply runs to its end, the second plan is stopped,
 * exit 130 — then run again: it plans from the finished state and adopts; a third run has nothing to do. (The CloudFormation half is rehearsed on the stand-in in
 * flows/takeover/takeover.test.ts; the sandbox's Root has no CloudFormation stack.)
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startSandboxEnvironment, type SandboxEnvironment } from "../../sandbox/env";
import { BIN, runBin } from "../../testing/cli";
import { sandboxPlatform } from "../../testing/stacks";

jest.setTimeout(600_000);

describe("arda-mail takeover as a real process", () => {
  let env: SandboxEnvironment;
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "arda-takeover-process-"));
    env = await startSandboxEnvironment({ platform: sandboxPlatform(), dir, localAws: true });
  });
  afterAll(async () => {
    await env?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const record = (): string => path.join(dir, "takeover.json");
  const args = (...a: string[]): string[] => ["takeover", ...a, ...env.baseFlags, "--takeover-file", record(), "--work-dir", path.join(dir, "takeover-work")];

  it("SIGINT during Root's adopt: the apply finishes, exit 130; the re-run adopts from the finished state; then nothing is left to do", async () => {
    const first = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args("Root")], { env: { ...process.env, ...env.env }, stdio: ["ignore", "pipe", "pipe"] });
      let stderr = "";
      let sent = false;
      child.stderr.setEncoding("utf8").on("data", (c: string) => {
        stderr += c;
        if (!sent && /Root: planned — /.test(stderr)) {
          sent = true;
          // The adopt's apply has started (Terraform imports the zone, creates the role and the records).
          setTimeout(() => child.kill("SIGINT"), 3000);
        }
      });
      child.stdout.resume();
      child.on("close", (code) => resolve({ code, stderr }));
    });
    expect(first.stderr).toContain("SIGINT received: the takeover stops after its current step (a running apply finishes first); re-run to resume");
    // The apply ran to its end (never interrupted: it would leave tainted resources); the second plan was stopped.
    expect(first.stderr).toContain("terraform plan was interrupted");
    expect(first.stderr).toContain("Next: re-run the same `arda-mail takeover` command: it resumes from the record");
    expect(first.code).toBe(130);
    expect(fs.readFileSync(path.join(dir, "takeover-work", "out", "stacks", "Root", "apply.log"), "utf8")).toMatch(/Apply complete! Resources: 1 imported, 4 added, 0 changed, 0 destroyed\./);
    const rec = JSON.parse(fs.readFileSync(record(), "utf8")) as { stacks: Record<string, unknown> };
    expect(JSON.stringify(rec.stacks.Root)).toContain("planned");
    expect(JSON.stringify(rec.stacks.Root)).not.toContain("adopted");

    // The re-run plans again from the finished state (nothing left to import or create) and adopts.
    const again = await runBin(args("Root"), env.env, 300_000);
    expect(again.stderr).toContain("terraform plan: 0 to add, 0 to change, 0 to destroy");
    expect(again.stderr).toMatch(/Root: adopted — terraform apply \d+\.\d s, second plan empty/);
    expect(again.code).toBe(0);
    // State where the environment's ARDA_MAIL_STATE_ROOT says (the command once ignored it and found another run's state in the checkout).
    expect(fs.existsSync(path.join(dir, "state-root", "state", "sandbox", "Root", "Root.tfstate"))).toBe(true);
    const third = await runBin(args("Root"), env.env, 300_000);
    expect(third.stderr).toContain("Root: plan already, adopt already, retain not-needed, detach not-needed");
    expect(third.code).toBe(0);
    for (const s of env.secretValues) expect(first.stderr + again.stderr + again.stdout + third.stderr).not.toContain(s);
  });
});
