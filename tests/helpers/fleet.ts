/**
 * A local stand-in for the cloud fleet: a `node:http` server on 127.0.0.1 (random port) that records every request,
 * refuses any call without the service credential (401), and answers through a handler the test sets:
 * JSON, plain text, an empty 204, a slow answer, a 5xx, or a hang. `POST /api/v1/pat/verify` answers from `tokens`.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type FleetRequest = { method: string; url: string; headers: IncomingHttpHeaders; body: Buffer };
export type FleetReply = { status?: number; json?: unknown; text?: string; headers?: Record<string, string>; delayMs?: number; hang?: boolean };
export type FleetHandler = (req: FleetRequest) => FleetReply | Promise<FleetReply>;

export type FleetStandIn = {
  url: string;
  token: string;
  requests: FleetRequest[];
  /** The answer for every call except `/api/v1/pat/verify` (default: 200 `{"ok":true}` echoing X-Request-ID). */
  handle: FleetHandler;
  /** `tcn_` token → the verify answer (`{valid:false, reason:"token_not_found"}` when absent). */
  tokens: Map<string, unknown>;
  /** Overrides the verify endpoint (e.g. a 500 or a hang). */
  verify?: FleetHandler;
  calls(path: string): FleetRequest[];
  stop(): Promise<void>;
};

export const FLEET_TOKEN = "fleet-service-credential-for-tests";

export async function startFleet(): Promise<FleetStandIn> {
  const sockets = new Set<Socket>();
  const fleet: FleetStandIn = {
    url: "",
    token: FLEET_TOKEN,
    requests: [],
    handle: (r): FleetReply => ({ json: { ok: true }, headers: r.headers["x-request-id"] ? { "x-request-id": String(r.headers["x-request-id"]) } : {} }),
    tokens: new Map(),
    calls: (path) => fleet.requests.filter((r) => r.url.split("?")[0] === path),
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const send = async (res: ServerResponse, reply: FleetReply) => {
    if (reply.hang) return;
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    const headers: Record<string, string> = { ...reply.headers };
    let body = "";
    if (reply.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(reply.json);
    } else if (reply.text !== undefined) {
      headers["content-type"] ??= "text/plain";
      body = reply.text;
    }
    if (!res.destroyed) res.writeHead(reply.status ?? 200, headers).end(body);
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const r: FleetRequest = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) };
      fleet.requests.push(r);
      if (req.headers.authorization !== `Bearer ${fleet.token}`) return send(res, { status: 401, json: { error: "bad service credential" } });
      if (r.url === "/api/v1/pat/verify") {
        if (fleet.verify) return send(res, await fleet.verify(r));
        const token = (JSON.parse(r.body.toString() || "{}") as { token?: string }).token ?? "";
        return send(res, { json: fleet.tokens.get(token) ?? { valid: false, reason: "token_not_found" } });
      }
      return send(res, await fleet.handle(r));
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fleet.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fleet;
}

/** Points the app at the stand-in (or at nothing) and forgets the cached configuration. */
export function useFleetEnv(fleet: { url: string; token: string } | undefined, extra: Record<string, string | undefined> = {}) {
  const set = (k: string, v: string | undefined) => (v === undefined ? delete process.env[k] : (process.env[k] = v));
  set("CLOUD_FLEET_URL", fleet?.url);
  set("CLOUD_FLEET_TOKEN", fleet?.token);
  for (const [k, v] of Object.entries(extra)) set(k, v);
}
