import { NextResponse, type NextRequest } from "next/server";
import { newNonce, securityHeaders } from "@/lib/http/security-headers.mjs";
import { publicConfig } from "@/lib/telemetry/public-config";
import { REQUEST_PATH_HEADER } from "@/lib/ui/return-path";

/**
 * Pages only (see `config.matcher`): a fresh CSP nonce per request, on the request so Next stamps it on the scripts
 * it renders, and on the response. The root layout renders per request for this. Every other response already
 * carries the document-less headers from server.mjs.
 */
export function proxy(req: NextRequest) {
  const headers = securityHeaders({
    nonce: newNonce(),
    analyticsHost: publicConfig(process.env).posthog_host,
    appUrl: process.env.APP_URL,
    dev: process.env.NODE_ENV === "development",
  });
  const forwarded = new Headers(req.headers);
  forwarded.set("content-security-policy", headers["Content-Security-Policy"]);
  // The page's own path, for a login redirect that comes back to it (layouts are not told their path); without
  // the client router's cache-busting `_rsc` parameter, so the way back is a page, not a payload.
  const asked = new URLSearchParams(req.nextUrl.search);
  asked.delete("_rsc");
  const query = asked.toString();
  forwarded.set(REQUEST_PATH_HEADER, req.nextUrl.pathname + (query ? `?${query}` : ""));
  const res = NextResponse.next({ request: { headers: forwarded } });
  for (const [name, value] of Object.entries(headers)) res.headers.set(name, value);
  return res;
}

export const config = {
  // Not for APIs and the analytics proxy: Next buffers the whole request body of every request a proxy runs for.
  matcher: ["/((?!api(?:/|$)|ingest(?:/|$)|_next/static/|_next/image|favicon\\.ico).*)"],
};
