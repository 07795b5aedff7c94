/**
 * A local stand-in for PostHog: a `node:http` server on 127.0.0.1 (random port) that records every request.
 * posthog-node posts (gzip) JSON batches to `/batch/`; posthog-js posts to `/e/` and `/i/v0/e/` (cross-origin, so
 * every answer carries CORS headers).
 * `mode: "hang"` accepts connections and reads requests but never answers (an unreachable-but-connected host).
 * `set()` switches mode or status while running (an outage, then recovery); `reject` answers 400 to a batch holding
 * an event it matches (a payload PostHog will never accept). Only accepted (2xx) batches count as delivered.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { gunzipSync } from "node:zlib";

export type CapturedRequest = { method: string; url: string; headers: IncomingHttpHeaders; body: Buffer };
export type CapturedEvent = { event: string; distinct_id?: string; timestamp?: string; uuid?: string; properties: Record<string, any> };
type Mode = { mode?: "answer" | "hang"; status?: number };

export type CaptureServer = {
  url: string;
  requests: CapturedRequest[];
  /** Events of every `/batch/` body posted by posthog-node (decompressed). */
  batchEvents(): CapturedEvent[];
  /** Resolves once `n` server events have arrived through `/batch/`, or rejects after `timeoutMs`. */
  waitForBatchEvents(n: number, timeoutMs?: number): Promise<CapturedEvent[]>;
  /** Connections accepted so far (also counts those a hanging server never answers). */
  connections(): number;
  /** Events of `/batch/` requests answered 2xx (what PostHog would have ingested), with duplicates. */
  acceptedEvents(): CapturedEvent[];
  /** Switches behaviour from now on. */
  set(mode: Mode): void;
  /** Server requests to `/batch/` seen so far, whatever the answer. */
  batchRequests(): number;
  stop(): Promise<void>;
};

function decode(req: CapturedRequest): string {
  const gz = req.headers["content-encoding"] === "gzip" || (req.body[0] === 0x1f && req.body[1] === 0x8b);
  return (gz ? gunzipSync(req.body) : req.body).toString("utf8");
}

export async function startCaptureServer(
  opts: Mode & { reject?: (e: CapturedEvent) => boolean; keepBodies?: boolean } = {},
): Promise<CaptureServer> {
  let mode = opts.mode ?? "answer";
  let status = opts.status ?? 200;
  const requests: CapturedRequest[] = [];
  const accepted: CapturedEvent[] = [];
  let batchRequests = 0;
  const sockets = new Set<Socket>();
  let acceptedConnections = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => {
      // A hanging host does not keep bodies: the benchmark measures the client's memory, not ours.
      if (mode === "answer") chunks.push(c);
    });
    req.on("end", () => {
      if (req.url?.startsWith("/batch")) batchRequests++;
      if (mode === "hang") return;
      const captured = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) };
      let code = status;
      if (captured.method === "POST" && captured.url.startsWith("/batch")) {
        const batch = (JSON.parse(decode(captured)) as { batch?: CapturedEvent[] }).batch ?? [];
        if (code < 300 && opts.reject && batch.some(opts.reject)) code = 400;
        if (code < 300) for (const e of batch) accepted.push(e);
      }
      // A long load test keeps only what it counts.
      if (opts.keepBodies !== false) requests.push(captured);
      // posthog-js posts from the app's origin: answer CORS (preflight included) as PostHog does.
      res.writeHead(code, {
        "content-type": "application/json",
        "access-control-allow-origin": req.headers.origin ?? "*",
        "access-control-allow-methods": "GET, POST, OPTIONS",
        "access-control-allow-headers": req.headers["access-control-request-headers"] ?? "*",
      });
      res.end(JSON.stringify({ status: 1 }));
    });
  });
  server.on("connection", (s: Socket) => {
    acceptedConnections++;
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  const batchEvents = () => {
    const out: CapturedEvent[] = [];
    for (const r of requests) {
      if (r.method !== "POST" || !r.url.startsWith("/batch")) continue;
      const body = JSON.parse(decode(r)) as { batch?: CapturedEvent[] };
      out.push(...(body.batch ?? []));
    }
    return out;
  };

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    batchEvents,
    async waitForBatchEvents(n, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const got = batchEvents();
        if (got.length >= n) return got;
        if (Date.now() > deadline) throw new Error(`capture server: ${got.length}/${n} events after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    connections: () => acceptedConnections,
    acceptedEvents: () => accepted,
    set(m: Mode) {
      if (m.mode) mode = m.mode;
      if (m.status) status = m.status;
    },
    batchRequests: () => batchRequests,
    stop() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
