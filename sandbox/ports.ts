/**
 * A loopback port for a sandbox daemon. A port is free only if nothing holds it on any protocol the
 * daemon binds: knotd listens on UDP *and* TCP, and a port that was free for UDP was once taken on
 * TCP (an outgoing connection's ephemeral port) — `cannot bind address 127.0.0.1@44114 TCP
 * (address already in use)`. Another process can still take it before the daemon binds: callers
 * retry on that error (see `isAddressInUse`).
 */
import * as dgram from "node:dgram";
import * as net from "node:net";

function bindTcp(port: number): Promise<net.Server | undefined> {
  const server = net.createServer();
  return new Promise((res) => {
    server.once("error", () => res(undefined));
    server.listen(port, "127.0.0.1", () => res(server));
  });
}

function bindUdp(port: number): Promise<dgram.Socket | undefined> {
  const socket = dgram.createSocket("udp4");
  return new Promise((res) => {
    socket.once("error", () => {
      socket.close();
      res(undefined);
    });
    socket.bind(port, "127.0.0.1", () => res(socket));
  });
}

/** A port that is free on loopback for TCP, and for UDP too when `udp` is set. */
export async function freeLoopbackPort(opts: { readonly udp?: boolean } = {}): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const tcp = await bindTcp(0);
    if (!tcp) continue;
    const port = (tcp.address() as net.AddressInfo).port;
    const udp = opts.udp ? await bindUdp(port) : undefined;
    await new Promise<void>((res) => tcp.close(() => res()));
    if (opts.udp && !udp) continue;
    if (udp) await new Promise<void>((res) => udp.close(() => res()));
    return port;
  }
  throw new Error("no free loopback port found in 50 attempts");
}

/** The daemon lost the race for its port (another process bound it first): try another one. */
export function isAddressInUse(message: string): boolean {
  return /address already in use|EADDRINUSE/i.test(message);
}
