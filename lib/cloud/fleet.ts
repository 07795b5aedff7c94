import { randomUUID } from "node:crypto";
import { deadlineSignal } from "@/lib/ops/deadline";
import { config } from "@/lib/config";
import { HttpError, badRequest, unavailable } from "@/lib/http/errors";
import { readStreamCapped, readText } from "@/lib/http/body";
import { inferCloudRuntimeOp, recordCloudRuntimeRequest } from "@/lib/telemetry";
import { parseJsonText, trimTrailingSlashes } from "@/lib/http/text";

/**
 * The cloud fleet client (integrations inventory §3): one place that talks to `CLOUD_FLEET_URL`, used by the
 * cloud-runtime proxy, the billing proxy and the Stripe forwarder. Every call that reaches the network counts once
 * in `cloudruntime_request_total{op,status}` and `cloudruntime_request_duration_seconds{op}`.
 */
export const FLEET_BODY_LIMIT = 1024 * 1024;
const RESPONSE_LIMIT = 1024 * 1024;

export type FleetCall = {
  method: string;
  /** Upstream path, e.g. `/api/v1/nodes`; appended to the base URL (whose own path is kept). */
  path: string;
  /** Raw query string without `?` (already encoded). */
  query?: string;
  body?: Uint8Array | null;
  contentType?: string;
  /** Sent as X-User-ID when present; the caller cannot override it through `headers`. */
  userId?: string;
  requestId: string;
  /** Extra headers; never override Authorization, X-User-ID, X-Request-ID or X-Actor-Source. */
  headers?: Record<string, string>;
  actorSource?: string;
};

export type FleetResult = { status: number; requestId: string | null; body: Buffer };

const PROTECTED = new Set(["authorization", "x-user-id", "x-request-id", "x-actor-source", "host", "content-length"]);

export const fleetConfigured = () => Boolean(config().CLOUD_FLEET_URL);

/** The base URL without trailing slashes, or a 503 when the fleet is not configured. */
export function fleetBaseUrl(): string {
  const fleetUrl = config().CLOUD_FLEET_URL?.trim();
  const base = fleetUrl === undefined ? undefined : trimTrailingSlashes(fleetUrl);
  if (!base) throw unavailable("cloud runtime is not configured");
  return base;
}

/** Headers every fleet call carries: the service credential (never a user's token) and JSON accept. */
export function fleetServiceHeaders(): Record<string, string> {
  const token = config().CLOUD_FLEET_TOKEN;
  return { accept: "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) };
}

/** An incoming X-Request-ID when it is a short printable token, else a fresh UUID (never an unbounded value). */
export function requestIdOf(req: Request): string {
  const given = req.headers.get("x-request-id")?.trim();
  return given && /^[A-Za-z0-9._:-]{1,128}$/.test(given) ? given : randomUUID();
}

function readCapped(res: Response): Promise<Buffer> {
  return readStreamCapped(res.body, RESPONSE_LIMIT, () => new Error("fleet response is larger than 1 MiB"));
}

/**
 * One request to the fleet. Throws HttpError 503 (not configured), 504 (timed out, `CLOUD_FLEET_TIMEOUT_MS` covers
 * the whole exchange) or 502 (any other failure); an upstream status of any kind is returned, not thrown.
 */
export async function fleetFetch(call: FleetCall): Promise<FleetResult> {
  const base = fleetBaseUrl();
  const url = `${base}${call.path}${call.query ? `?${call.query}` : ""}`;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(call.headers ?? {})) if (!PROTECTED.has(k.toLowerCase())) headers[k.toLowerCase()] = v;
  Object.assign(headers, fleetServiceHeaders());
  if (call.body) headers["content-type"] ??= call.contentType ?? "application/json";
  if (call.contentType) headers["content-type"] = call.contentType;
  if (call.userId) headers["x-user-id"] = call.userId;
  if (call.actorSource) headers["x-actor-source"] = call.actorSource;
  headers["x-request-id"] = call.requestId;

  const op = inferCloudRuntimeOp(call.path, call.method);
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  const deadline = deadlineSignal(config().CLOUD_FLEET_TIMEOUT_MS);
  try {
    const res = await fetch(url, {
      method: call.method,
      headers,
      body: call.body ? Buffer.from(call.body) : undefined,
      redirect: "manual",
      signal: deadline.signal,
    });
    const body = await readCapped(res);
    recordCloudRuntimeRequest(op, res.status, seconds());
    return { status: res.status, requestId: res.headers.get("x-request-id"), body };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    recordCloudRuntimeRequest(op, e, seconds());
    if (e.name === "TimeoutError") throw new HttpError(504, "cloud runtime request timed out");
    console.error(`[fleet] ${call.method} ${call.path} failed (request ${call.requestId}): ${e.message}`);
    throw new HttpError(502, "cloud runtime request failed");
  } finally {
    deadline.clear();
  }
}

/**
 * Relays a fleet answer (inventory §3.2 step 7): the status and X-Request-ID; an empty body stays empty, JSON passes
 * through, anything else becomes `{"error": "<text>"}`.
 */
export function relayFleetResponse(r: FleetResult): Response {
  const headers: Record<string, string> = { "cache-control": "no-store" };
  if (r.requestId) headers["x-request-id"] = r.requestId;
  const text = r.body.toString("utf8").trim();
  // A 204/304 must not carry a body; 1xx never reaches here (fetch handles them).
  if (text === "" || r.status === 204 || r.status === 304) return new Response(null, { status: r.status, headers });
  let isJson = true;
  try {
    JSON.parse(text);
  } catch {
    isJson = false;
  }
  headers["content-type"] = "application/json";
  return new Response(isJson ? text : JSON.stringify({ error: text.slice(0, 4096) }), { status: r.status, headers });
}

/**
 * A JSON request body for the fleet: required, at most 1 MiB, a JSON object held to the rules of every other body
 * (valid UTF-8; no NUL, lone surrogate or too-deep nesting, named by field: `parseJsonText`), then forwarded as sent
 * (the same bytes; a leading BOM dropped, as every route reads one). Bad input stops here: the fleet never sees it.
 */
export async function readFleetJsonBody(req: Request): Promise<Buffer> {
  let text: string;
  try {
    text = await readText(req, FLEET_BODY_LIMIT);
  } catch (err) {
    if (err instanceof HttpError && err.status === 413) throw new HttpError(413, "request body is too large");
    throw err;
  }
  if (text.trim() === "") throw badRequest("request body is required");
  const data = parseJsonText(text, "invalid request body");
  if (typeof data !== "object" || data === null || Array.isArray(data)) throw badRequest("request body must be a JSON object");
  return Buffer.from(text, "utf8");
}

/** Fleet route tables: local sub-path + method → upstream path and what is forwarded. */
export type FleetRoute = { upstream: string; user: boolean; query: boolean; body: "json" | "none" };

/** The part of the request path after `prefix` ("" for the prefix itself); 404 when the path is not under it. */
export function subPath(req: Request, prefix: string): string {
  const path = new URL(req.url).pathname;
  if (path !== prefix && !path.startsWith(`${prefix}/`)) throw new HttpError(404, "not found");
  return path.slice(prefix.length);
}

/** Looks up `METHOD /sub/path` in a table: 404 for an unknown path, 405 for a known path with another method. */
export function matchFleetRoute(table: Record<string, FleetRoute>, method: string, sub: string): FleetRoute {
  const path = sub === "" ? "/" : trimTrailingSlashes(sub) || "/";
  const found = table[`${method.toUpperCase()} ${path}`];
  if (found) return found;
  const methods = Object.keys(table)
    .filter((k) => k.slice(k.indexOf(" ") + 1) === path)
    .map((k) => k.slice(0, k.indexOf(" ")));
  if (methods.length > 0) {
    if (methods.includes("GET")) methods.push("HEAD");
    throw new HttpError(405, `method ${method.toUpperCase()} is not allowed here`, { Allow: [...methods, "OPTIONS"].sort().join(", ") });
  }
  throw new HttpError(404, "not found");
}

/** Forwards one proxied request (the caller is already authenticated) and relays the answer. */
export async function proxyToFleet(
  req: Request,
  r: FleetRoute,
  who: { userId: string; actorSource: string },
  upstreamPath = r.upstream,
): Promise<Response> {
  fleetBaseUrl(); // 503 before reading any body
  const body = r.body === "json" ? await readFleetJsonBody(req) : null;
  const query = r.query ? new URL(req.url).search.replace(/^\?/, "") : "";
  const result = await fleetFetch({
    method: req.method.toUpperCase(),
    path: upstreamPath,
    query,
    body,
    userId: r.user ? who.userId : undefined,
    actorSource: who.actorSource,
    requestId: requestIdOf(req),
  });
  return relayFleetResponse(result);
}
