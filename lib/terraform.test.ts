/**
 * The Terraform runner's interrupt: an aborted run sends terraform one SIGINT — its graceful stop —
 * and resolves once terraform has exited, with its state lock released. Real terraform, a local
 * state with a real lock, a builtin resource whose provisioner runs for 30 s.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runTerraform, TerraformInterrupted, terraformEnv, terraformOrThrow } from "./terraform";

jest.setTimeout(60_000);

let dir: string;
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "arda-tf-interrupt-"));
  fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify({ resource: { terraform_data: { slow: { provisioner: [{ "local-exec": { command: "sleep 30" } }] } } } }));
  expect((await runTerraform(["init", "-input=false", "-no-color"], { cwd: dir, env: terraformEnv() })).code).toBe(0);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test("an abort mid-apply stops terraform gracefully: one SIGINT, the lock released, the run resolves as interrupted within seconds", async () => {
  const stop = new AbortController();
  let out = "";
  const running = runTerraform(["apply", "-auto-approve", "-input=false", "-no-color"], {
    cwd: dir,
    env: terraformEnv(),
    signal: stop.signal,
    onStdout: (c) => (out += c),
  });
  const lock = path.join(dir, ".terraform.tfstate.lock.info");
  for (let t = Date.now(); !(out.includes("Executing:") && fs.existsSync(lock));) {
    if (Date.now() - t > 30_000) throw new Error(`terraform never reached the provisioner:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  // Terraform runs in its own process group: a terminal's Ctrl-C reaches only the CLI, which forwards exactly one SIGINT.
  const tfPid = fs.readdirSync("/proc").find((d) => {
    try {
      return /^\d+$/.test(d) && fs.readlinkSync(`/proc/${d}/cwd`) === dir && /(^|\/)terraform$/.test(fs.readFileSync(`/proc/${d}/cmdline`, "latin1").split("\0")[0]);
    } catch {
      return false;
    }
  });
  expect(tfPid).toBeDefined();
  const pgid = Number(fs.readFileSync(`/proc/${tfPid}/stat`, "utf8").split(") ")[1].split(" ")[2]);
  const abortedAt = Date.now();
  stop.abort("SIGINT");
  const r = await running;
  expect(r.interrupted).toBe(true);
  expect(r.code).not.toBe(0);
  expect(Date.now() - abortedAt).toBeLessThan(10_000);
  expect(r.stdout + r.stderr).toContain("Gracefully shutting down");
  expect(r.stdout + r.stderr).not.toContain("Two interrupts received");
  expect(fs.existsSync(lock)).toBe(false);
  expect(pgid).toBe(Number(tfPid));
  expect(pgid).not.toBe(Number(fs.readFileSync(`/proc/${process.pid}/stat`, "utf8").split(") ")[1].split(" ")[2]));
  // The lock really is free: the next run takes it at once.
  expect((await runTerraform(["plan", "-input=false", "-no-color", "-lock-timeout=0s"], { cwd: dir, env: terraformEnv() })).code).toBe(0);
});

test("terraformOrThrow turns an interrupted run into TerraformInterrupted; an already aborted signal starts nothing", async () => {
  const stop = new AbortController();
  stop.abort("SIGTERM");
  await expect(terraformOrThrow(["apply", "-auto-approve", "-input=false", "-no-color"], { cwd: dir, env: terraformEnv(), signal: stop.signal })).rejects.toBeInstanceOf(TerraformInterrupted);
  expect(fs.existsSync(path.join(dir, "terraform.tfstate"))).toBe(false);
});
