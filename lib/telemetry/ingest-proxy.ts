import { notFound, readBytes } from "@/lib/http";
import { publicConfig } from "./public-config";

const MAX_BODY = 1024 * 1024;
// Only what PostHog needs to read the request; cookies and auth headers of our origin never leave.
const FORWARDED_REQUEST_HEADERS = ["content-type", "content-encoding", "user-agent", "accept"];

export function ingestProxyEnabled(env: Record<string, string | undefined> = process.env): boolean {
  return ["true", "1"].includes((env.POSTHOG_PROXY ?? "").trim().toLowerCase()) && publicConfig(env).posthog_key !== "";
}

/**
 * Forwards `/ingest/<path>` to POSTHOG_HOST at request time (a `next.config` rewrite would be frozen at build time).
 * 404 unless POSTHOG_PROXY=true and analytics is enabled; bounded body and a 10 s upstream timeout.
 */
export async function proxyToPostHog(req: Request): Promise<Response> {
  if (!ingestProxyEnabled()) throw notFound();
  const upstreamHost = publicConfig({ ...process.env, POSTHOG_PROXY: "" }).posthog_host.replace(/\/$/, "");
  const url = new URL(req.url);
  const target = `${upstreamHost}${url.pathname.replace(/^\/ingest/, "")}${url.search}`;
  const headers = new Headers();
  for (const h of FORWARDED_REQUEST_HEADERS) {
    const v = req.headers.get(h);
    if (v) headers.set(h, v);
  }
  const body = req.method === "GET" || req.method === "HEAD" ? undefined : new Uint8Array(await readBytes(req, MAX_BODY));
  try {
    const res = await fetch(target, { method: req.method, headers, body, signal: AbortSignal.timeout(10_000) });
    const out = new Headers();
    for (const h of ["content-type", "cache-control"]) {
      const v = res.headers.get(h);
      if (v) out.set(h, v);
    }
    return new Response(await res.arrayBuffer(), { status: res.status, headers: out });
  } catch {
    return Response.json({ error: "analytics host unreachable" }, { status: 502 });
  }
}
