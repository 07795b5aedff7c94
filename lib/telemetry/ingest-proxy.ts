import { clientIp, notFound, readBytes } from "@/lib/http";
import { deadlineSignal } from "@/lib/ops/deadline";
import { countIngestProxyError } from "./metrics";
import { ingestProxyPath, publicConfig, truthy } from "./public-config";

const MAX_BODY = 1024 * 1024;
// Only what PostHog needs to read the request; cookies and auth headers of our origin never leave.
const FORWARDED_REQUEST_HEADERS = ["content-type", "content-encoding", "user-agent", "accept"];

export function ingestProxyEnabled(env: Record<string, string | undefined> = process.env): boolean {
  // The same reading as the public config's, or the browser could be pointed at a proxy that answers 404.
  return truthy(env.POSTHOG_PROXY) && publicConfig(env).posthog_key !== "";
}

/**
 * Forwards `/ingest/<path>` to POSTHOG_HOST at request time (a `next.config` rewrite would be frozen at build time).
 * 404 unless POSTHOG_PROXY=true and analytics is enabled; bounded body and a 10 s upstream timeout. Served at
 * `/ingest` and at POSTHOG_PROXY_PATH (ad blockers list the common paths). The client's address goes along as
 * X-Forwarded-For (the one we trust: the socket peer, or X-Forwarded-For only with TRUST_PROXY) so PostHog
 * geolocates the person, not this server.
 */
export async function proxyToPostHog(req: Request): Promise<Response> {
  if (!ingestProxyEnabled()) throw notFound();
  const upstreamHost = publicConfig({ ...process.env, POSTHOG_PROXY: "" }).posthog_host.replace(/\/$/, "");
  const url = new URL(req.url);
  const prefix = [ingestProxyPath(), "/ingest"].find((p) => url.pathname === p || url.pathname.startsWith(`${p}/`)) ?? "";
  const target = `${upstreamHost}${url.pathname.slice(prefix.length)}${url.search}`;
  const headers = new Headers();
  for (const h of FORWARDED_REQUEST_HEADERS) {
    const v = req.headers.get(h);
    if (v) headers.set(h, v);
  }
  const ip = clientIp(req);
  if (ip !== "unknown") headers.set("x-forwarded-for", ip);
  const body = req.method === "GET" || req.method === "HEAD" ? undefined : new Uint8Array(await readBytes(req, MAX_BODY));
  const deadline = deadlineSignal(10_000);
  try {
    const res = await fetch(target, { method: req.method, headers, body, signal: deadline.signal });
    const out = new Headers();
    for (const h of ["content-type", "cache-control"]) {
      const v = res.headers.get(h);
      if (v) out.set(h, v);
    }
    if (res.status >= 500) countIngestProxyError("upstream_5xx");
    return new Response(await res.arrayBuffer(), { status: res.status, headers: out });
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
    countIngestProxyError(timedOut ? "timeout" : "unreachable");
    return Response.json({ error: timedOut ? "analytics host timed out" : "analytics host unreachable" }, { status: timedOut ? 504 : 502 });
  } finally {
    deadline.clear();
  }
}
