/**
 * A real authoritative DNS server (Knot DNS, Debian package `knot`) on a loopback port, serving
 * generated zones — for the tests and the demo. knotd starts in ~100 ms, runs without root on a
 * high port, and loads plain zone files; `update()` rewrites them and reloads through knotc.
 */
import { spawnSync, type ChildProcess } from "node:child_process";
import { Resolver } from "node:dns/promises";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { renderZoneFile, type Zone } from "./zone";
import { spawnDaemon } from "../daemon";
import { freeLoopbackPort, isAddressInUse } from "../ports";

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
    // A server may start with no zone yet (the sandbox tree's child server before any deploy).
    ...(zones.length ? ["zone:", ...zones.map((z) => `  - domain: ${z.name}.`)] : []),
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
  const tree = readTreeInfo(dir);
  if (tree) {
    const { parent, below } = splitTree(tree.parentZones, zones);
    await Promise.all([reloadZones(path.join(dir, "parent"), parent), reloadZones(path.join(dir, "zones"), below)]);
    return;
  }
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

/**
 * Start knotd on a free loopback port serving `zones`. Throws when knot is not installed.
 * `freePort`: where ports come from (default `freeLoopbackPort`; a test hands out a taken one first).
 */
export async function startDnsServer(zones: readonly Zone[], opts: { dir?: string; freePort?: () => Promise<number> } = {}): Promise<DnsServer> {
  const knotd = findKnotd();
  if (!knotd) throw new Error("Knot DNS is not installed (apt-get install knot): no real DNS server available");
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "arda-dns-"));
  fs.mkdirSync(path.join(dir, "db"), { recursive: true });
  const conf = path.join(dir, "knot.conf");
  const served = [...zones];
  writeZones(dir, served, 1);
  // Up to 3 ports: another process may bind the free port before knotd does.
  for (let attempt = 1; ; attempt++) {
    const port = await (opts.freePort ?? (() => freeLoopbackPort({ udp: true })))();
    fs.writeFileSync(conf, config(dir, port, served));
    fs.writeFileSync(path.join(dir, "server.json"), JSON.stringify({ port, serial: 1, zones: served.map((z) => z.name) }));
    const daemon = spawnDaemon(knotd, ["-c", conf]);
    try {
      await waitServing(port, served, 1, daemon.child, daemon.stderrTail);
    } catch (e) {
      daemon.child.kill("SIGKILL");
      if (attempt < 3 && isAddressInUse((e as Error).message)) continue;
      throw e;
    }
    return running(dir, port, daemon);
  }
}

function running(dir: string, port: number, daemon: ReturnType<typeof spawnDaemon>): DnsServer {
  const { child } = daemon;
  return {
    address: `127.0.0.1:${port}`,
    port,
    dir,
    update: (next: readonly Zone[]) => reloadZones(dir, next),
    async stop(): Promise<void> {
      daemon.release();
      if (child.exitCode !== null) return;
      await new Promise<void>((res) => {
        child.once("exit", () => res());
        child.kill("SIGTERM");
      });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The sandbox's DNS tree: two knotd, one serving the parent zones (the mail root), one every zone
 * below — as in Route53, where a child zone never shares name servers with its parent, so the
 * parent's delegation can be read apart from the child's own NS. `address` is the child server
 * (what `--resolver` takes and the Postmark sandbox checks); `parentAddress` is `--parent-server`.
 * `update()` and `reloadZones(dir)` put each zone on its server.
 */
export interface DnsTree extends DnsServer {
  readonly parentAddress: string;
}

interface TreeInfo {
  readonly parentZones: readonly string[];
}

/** Which zones the tree's parent server serves, and which the server below it. */
function splitTree(parentZones: readonly string[], zones: readonly Zone[]): { parent: Zone[]; below: Zone[] } {
  return { parent: zones.filter((z) => parentZones.includes(z.name)), below: zones.filter((z) => !parentZones.includes(z.name)) };
}

function readTreeInfo(dir: string): TreeInfo | undefined {
  const f = path.join(dir, "tree.json");
  return fs.existsSync(f) ? (JSON.parse(fs.readFileSync(f, "utf8")) as TreeInfo) : undefined;
}

export async function startDnsTree(parentZones: readonly string[], zones: readonly Zone[], opts: { dir?: string } = {}): Promise<DnsTree> {
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "arda-dns-"));
  fs.mkdirSync(dir, { recursive: true });
  const split = splitTree(parentZones, zones);
  const [parent, child] = await Promise.all([startDnsServer(split.parent, { dir: path.join(dir, "parent") }), startDnsServer(split.below, { dir: path.join(dir, "zones") })]);
  fs.writeFileSync(path.join(dir, "tree.json"), JSON.stringify({ parentZones } satisfies TreeInfo));
  return {
    address: child.address,
    port: child.port,
    parentAddress: parent.address,
    dir,
    update: (next: readonly Zone[]) => reloadZones(dir, next),
    async stop(): Promise<void> {
      await Promise.all([parent.stop(), child.stop()]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
