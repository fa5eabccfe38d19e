/**
 * A real authoritative DNS server (Knot DNS, Debian package `knot`) on a loopback port, serving
 * generated zones — for the tests and the demo. knotd starts in ~100 ms, runs without root on a
 * high port, and loads plain zone files; `update()` rewrites them and reloads through knotc.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as dgram from "node:dgram";
import { Resolver } from "node:dns/promises";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { renderZoneFile, type Zone } from "./zone";

export const KNOTD_CANDIDATES = ["/usr/sbin/knotd", "/usr/local/sbin/knotd"];

/** Path of knotd, or undefined when the package is not installed (`apt-get install knot`). */
export function findKnotd(): string | undefined {
  return KNOTD_CANDIDATES.find((p) => fs.existsSync(p));
}

export interface DnsServer {
  /** `127.0.0.1:<port>` — what `--resolver` takes. */
  readonly address: string;
  readonly port: number;
  readonly dir: string;
  /** Replace the served zones (same port). */
  update(zones: readonly Zone[]): Promise<void>;
  stop(): Promise<void>;
}

async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket("udp4");
  await new Promise<void>((res) => s.bind(0, "127.0.0.1", () => res()));
  const port = s.address().port;
  await new Promise<void>((res) => s.close(() => res()));
  return port;
}

function config(dir: string, port: number, zones: readonly Zone[]): string {
  return [
    "server:",
    `    rundir: "${dir}"`,
    `    listen: 127.0.0.1@${port}`,
    "log:",
    "  - target: stderr",
    "    any: warning",
    "database:",
    `    storage: "${path.join(dir, "db")}"`,
    "control:",
    `    listen: "${path.join(dir, "knot.sock")}"`,
    "template:",
    "  - id: default",
    `    storage: "${path.join(dir, "zones")}"`,
    '    file: "%s.zone"',
    "    zonefile-sync: -1",
    "    zonefile-load: whole",
    "    journal-content: none",
    "    semantic-checks: off",
    "zone:",
    ...zones.map((z) => `  - domain: ${z.name}.`),
    "",
  ].join("\n");
}

function writeZones(dir: string, zones: readonly Zone[], serial: number): void {
  fs.mkdirSync(path.join(dir, "zones"), { recursive: true });
  for (const z of zones) fs.writeFileSync(path.join(dir, "zones", `${z.name}.zone`), renderZoneFile(z, serial));
}

/** What another process needs to publish into a running server (see publish.ts). */
export interface ServerInfo {
  readonly port: number;
  readonly serial: number;
  readonly zones: readonly string[];
}

export function readServerInfo(dir: string): ServerInfo {
  const f = path.join(dir, "server.json");
  if (!fs.existsSync(f)) throw new Error(`${dir} is not a running arda-mail DNS server directory (no server.json)`);
  return JSON.parse(fs.readFileSync(f, "utf8")) as ServerInfo;
}

/**
 * Replace the zones of the knotd whose directory is `dir` (same or another process): rewrite the
 * zone files with a new serial, reload through knotc, wait until every zone serves it.
 */
export async function reloadZones(dir: string, zones: readonly Zone[]): Promise<void> {
  const info = readServerInfo(dir);
  const serial = info.serial + 1;
  const conf = path.join(dir, "knot.conf");
  fs.writeFileSync(conf, config(dir, info.port, zones));
  writeZones(dir, zones, serial);
  const knotd = findKnotd();
  if (!knotd) throw new Error("Knot DNS is not installed (apt-get install knot)");
  const r = spawnSync(path.join(path.dirname(knotd), "knotc"), ["-c", conf, "reload"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`knotc reload failed: ${(r.stderr || r.stdout).trim()}`);
  fs.writeFileSync(path.join(dir, "server.json"), JSON.stringify({ port: info.port, serial, zones: zones.map((z) => z.name) }));
  await waitServing(info.port, zones, serial, undefined, () => "");
}

async function waitServing(port: number, zones: readonly Zone[], serial: number, child: ChildProcess | undefined, stderr: () => string): Promise<void> {
  const r = new Resolver({ timeout: 200, tries: 1 });
  r.setServers([`127.0.0.1:${port}`]);
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`knotd exited (${child.exitCode}): ${stderr().trim()}`);
    try {
      const all = await Promise.all(zones.map((z) => r.resolveSoa(z.name)));
      if (all.every((s) => s.serial === serial)) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`knotd did not serve ${zones.map((z) => z.name).join(", ")} on 127.0.0.1:${port} within 10 s: ${stderr().trim()}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** Start knotd on a free loopback port serving `zones`. Throws when knot is not installed. */
export async function startDnsServer(zones: readonly Zone[], opts: { dir?: string } = {}): Promise<DnsServer> {
  const knotd = findKnotd();
  if (!knotd) throw new Error("Knot DNS is not installed (apt-get install knot): no real DNS server available");
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "arda-dns-"));
  fs.mkdirSync(path.join(dir, "db"), { recursive: true });
  const port = await freeUdpPort();
  const conf = path.join(dir, "knot.conf");
  const served = [...zones];
  writeZones(dir, served, 1);
  fs.writeFileSync(conf, config(dir, port, served));
  fs.writeFileSync(path.join(dir, "server.json"), JSON.stringify({ port, serial: 1, zones: served.map((z) => z.name) }));
  const child = spawn(knotd, ["-c", conf], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr!.setEncoding("utf8").on("data", (c: string) => {
    err = (err + c).slice(-4000);
  });
  // Never leave a knotd behind when the test run or the demo exits without calling stop().
  const onExit = (): void => {
    child.kill("SIGKILL");
  };
  process.once("exit", onExit);
  try {
    await waitServing(port, served, 1, child, () => err);
  } catch (e) {
    child.kill("SIGKILL");
    throw e;
  }
  return {
    address: `127.0.0.1:${port}`,
    port,
    dir,
    update: (next: readonly Zone[]) => reloadZones(dir, next),
    async stop(): Promise<void> {
      process.removeListener("exit", onExit);
      if (child.exitCode !== null) return;
      await new Promise<void>((res) => {
        child.once("exit", () => res());
        child.kill("SIGTERM");
      });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
