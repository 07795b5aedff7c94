/**
 * A TCP proxy on 127.0.0.1 in front of a real service (PostgreSQL, Redis) that a test can break and mend:
 * - cut():     every open connection is reset, new ones are accepted and reset at once (the path is gone);
 * - hang():    connections stay open but nothing moves in either direction, new ones get no answer (a stalled
 *              path: a partition, a frozen load balancer); bytes already sent wait in the kernel buffers;
 * - resetAfterReady(): PostgreSQL only — each new connection completes its handshake (up to the server's first
 *              ReadyForQuery), then is reset as soon as the client sends anything: a path that drops right after a
 *              connection is opened, before its first query is answered;
 * - restore(): traffic flows again — held bytes are delivered, held connections reach the service.
 */
import net from "node:net";

export type ProxyMode = "pass" | "cut" | "hang" | "reset-after-ready";

export type TcpProxy = {
  port: number;
  /** `base` with its host and port replaced by the proxy's (postgres://…, redis://…). */
  url(base: string): string;
  mode(): ProxyMode;
  cut(): void;
  hang(): void;
  resetAfterReady(): void;
  restore(): void;
  close(): Promise<void>;
};

type Pair = { client: net.Socket; upstream?: net.Socket; flowing: boolean };

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: ProxyMode = "pass";
  const pairs = new Set<Pair>();

  const destroy = (pair: Pair) => {
    if (!pairs.delete(pair)) return;
    pair.client.resetAndDestroy();
    pair.upstream?.resetAndDestroy();
  };

  const flow = (pair: Pair) => {
    if (!pair.upstream) {
      const upstream = net.connect(target.port, target.host);
      pair.upstream = upstream;
      upstream.on("error", () => destroy(pair));
      upstream.on("close", () => destroy(pair));
    }
    pair.client.pipe(pair.upstream);
    pair.upstream.pipe(pair.client);
    pair.flowing = true;
  };

  /** PostgreSQL's ReadyForQuery message: 'Z', length 5 (the status byte follows). */
  const READY_FOR_QUERY = Buffer.from([0x5a, 0, 0, 0, 5]);
  const resetOnceReady = (pair: Pair) => {
    const upstream = net.connect(target.port, target.host);
    pair.upstream = upstream;
    pair.flowing = true;
    let ready = false;
    upstream.on("error", () => destroy(pair));
    upstream.on("close", () => destroy(pair));
    upstream.on("data", (chunk: Buffer) => {
      pair.client.write(chunk);
      if (chunk.includes(READY_FOR_QUERY)) ready = true;
    });
    pair.client.on("data", (chunk: Buffer) => (ready ? destroy(pair) : upstream.write(chunk)));
  };

  const stall = (pair: Pair) => {
    if (!pair.flowing) return;
    pair.client.unpipe();
    pair.upstream?.unpipe();
    pair.client.pause();
    pair.upstream?.pause();
    pair.flowing = false;
  };

  const server = net.createServer((client) => {
    if (mode === "cut") {
      client.on("error", () => {});
      client.resetAndDestroy();
      return;
    }
    const pair: Pair = { client, flowing: false };
    pairs.add(pair);
    client.on("error", () => destroy(pair));
    client.on("close", () => destroy(pair));
    if (mode === "pass") flow(pair);
    else if (mode === "reset-after-ready") resetOnceReady(pair);
    else client.pause(); // hang: accepted, never answered until restore()
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    url(base) {
      const u = new URL(base);
      u.hostname = "127.0.0.1";
      u.port = String(port);
      return u.toString();
    },
    mode: () => mode,
    cut() {
      mode = "cut";
      for (const p of [...pairs]) destroy(p);
    },
    hang() {
      mode = "hang";
      for (const p of pairs) stall(p);
    },
    resetAfterReady() {
      mode = "reset-after-ready";
    },
    restore() {
      mode = "pass";
      for (const p of pairs) if (!p.flowing) flow(p);
    },
    async close() {
      for (const p of [...pairs]) destroy(p);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** host and port of a service URL (postgres://user@127.0.0.1:5432/db → { host, port }). */
export function targetOf(serviceUrl: string, defaultPort: number): { host: string; port: number } {
  const u = new URL(serviceUrl);
  return { host: u.hostname || "127.0.0.1", port: Number(u.port || defaultPort) };
}
