// @ts-check
/**
 * The security headers of every response (issue 11 §4). Plain JavaScript because both sides use it: server.mjs puts
 * the document-less set on every response before Next sees the request (so Next's own errors carry it too), and
 * proxy.ts replaces the CSP of pages with a nonce-based one. Next reads that nonce from the request's CSP header
 * and stamps it on the scripts it renders; 'strict-dynamic' lets those scripts load their chunks (posthog-js
 * included, served from our origin).
 */

/** Responses that are never rendered as a document (APIs, assets, errors): no source is allowed at all. */
const NO_DOCUMENT_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** posthog-js fetches remote config from the `-assets` twin of PostHog Cloud's ingestion hosts. */
const POSTHOG_CLOUD = /^(https:\/\/)(us|eu)\.i\.posthog\.com$/;

/**
 * Origins the browser may send analytics to besides our own.
 * @param {string | undefined} analyticsHost as `/api/config` hands it out: "" (off), "/ingest" or an absolute URL
 * @returns {string[]}
 */
export function analyticsOrigins(analyticsHost) {
  const host = (analyticsHost ?? "").trim();
  if (!/^https?:\/\//i.test(host)) return []; // off, or the same-origin `/ingest` proxy ('self' covers it)
  let origin;
  try {
    origin = new URL(host).origin;
  } catch {
    return [];
  }
  const cloud = POSTHOG_CLOUD.exec(origin);
  return cloud ? [origin, `${cloud[1]}${cloud[2]}-assets.i.posthog.com`] : [origin];
}

/** @param {string | undefined} url */
const isHttps = (url) => /^https:\/\//i.test((url ?? "").trim());

/** @param {import("./security-headers.d.mts").SecurityHeaderOptions} opts */
export function contentSecurityPolicy(opts) {
  if (!opts.nonce) return NO_DOCUMENT_POLICY;
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${opts.nonce}' 'strict-dynamic'${opts.dev ? " 'unsafe-eval'" : ""}`,
    // Inline style attributes are common in components and far less dangerous than script; the nonce guards scripts.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    ["connect-src 'self'", ...analyticsOrigins(opts.analyticsHost)].join(" "),
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  // Only behind https: on a plain-http self-hosted install it would break every asset.
  if (isHttps(opts.appUrl)) directives.push("upgrade-insecure-requests");
  return directives.join("; ");
}

/**
 * @param {import("./security-headers.d.mts").SecurityHeaderOptions} opts
 * @returns {Record<string, string>}
 */
export function securityHeaders(opts) {
  /** @type {Record<string, string>} */
  const headers = {
    "Content-Security-Policy": contentSecurityPolicy(opts),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()",
    "Cross-Origin-Opener-Policy": "same-origin",
  };
  if (isHttps(opts.appUrl)) headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains";
  return headers;
}

/** 16 random bytes, base64: unguessable and fresh for every page. */
export function newNonce() {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
}
