// Tandem's HTTP entry point: Next.js behind a plain node:http server, for what `next start` cannot do:
// 1. pass the TCP peer address to route handlers (rate limits, contact-sales `submitter_ip`) in a header that
//    clients cannot forge — any incoming copy is overwritten here;
// 2. HTTP hygiene below the routes (issue 11): security headers on every response, Next's own errors, 404s and
//    405s included; a 400 for a path Next cannot decode; no keep-alive connection left holding an unread body;
//    JSON 405s with `Allow` for methods a route does not export;
// 3. a graceful shutdown: stop accepting, answer `Connection: close` and close connections as they go idle, then
//    flush telemetry and close the database (the hook instrumentation.ts registers on globalThis), all within one
//    deadline.
import { createServer } from "node:http";
import net from "node:net";
import { ensureDataFolder, pgliteFolder } from "./lib/db/pglite-template.mjs";
import { securityHeaders } from "./lib/http/security-headers.mjs";

// A fresh PGlite folder (a copy of the build's template, or initdb without one) is prepared while Next loads and
// prepares, off the main thread (issue 15: the first healthy answer). lib/db/client.ts waits for this same
// preparation and reports its errors; here they only must not go unhandled. (Opening PGlite here too, beside
// Next's start, gained nothing measurable: both are work on the one main thread.)
const pglite = pgliteFolder(process.env);
if (pglite) ensureDataFolder(pglite).catch(() => {});
const { default: next } = await import("next");

function cannotStart(what, why) {
  console.error(`tandem: cannot start: ${what}: ${why}`);
  process.exit(1);
}

/** An integer from the environment within [min, max], or a loud exit naming the variable. */
function intEnv(name, fallback, min, max, expected) {
  const raw = (process.env[name] ?? "").trim();
  if (raw === "") return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) cannotStart("configuration", `${name}: expected ${expected}, got "${raw}"`);
  return n;
}

const dev = process.argv.includes("--dev");
const port = intEnv("PORT", 3000, 0, 65535, "a port number from 0 to 65535");
const hostname = (process.env.HOST ?? "").trim() || "0.0.0.0";
process.env.TANDEM_SERVER = "1";
if (!dev) process.env.NODE_ENV = "production";

/** The whole shutdown (draining connections, then the hooks) must fit in this; orchestrators kill soon after. */
const SHUTDOWN_TIMEOUT_MS = intEnv("SHUTDOWN_TIMEOUT_MS", 10_000, 1, 2 ** 31 - 1, "a positive number of milliseconds (at most 2147483647)");
/** Connections get this share of it; the hooks (analytics flush, database close) the rest. */
const DRAIN_SHARE = 0.6;
/**
 * Keep-alive connections idle at the signal stay open this long: a request already on its way in on one is served
 * (with `Connection: close`) instead of being reset when the socket is closed under it.
 */
const IDLE_GRACE_MS = 1_000;
/** After answering before a request's body was all read, how long the rest may take to arrive before the socket closes. */
const DRAIN_MS = 2_000;
/** The largest route's body limit (1 MiB) plus what lib/http/body.ts drops after it (1 MiB): beyond, a 413 closes. */
const UNDRAINABLE_BODY_BYTES = 2 * 1024 * 1024;

// Document-less headers (no nonce): right for APIs, assets and errors. proxy.ts replaces the CSP of pages.
const BASE_HEADERS = Object.entries(securityHeaders({ appUrl: process.env.APP_URL }));
/** The methods App Router route files can export; Next answers any other with an empty 400. */
const ROUTE_METHODS = new Set(["GET", "HEAD", "OPTIONS", "POST", "PUT", "DELETE", "PATCH"]);

/**
 * POSTHOG_PROXY_PATH: where the browser sends analytics with POSTHOG_PROXY (ad blockers list `/ingest`); served by
 * the `/ingest` route, which this rewrites it to. Validated by lib/config.ts at start-up.
 */
const INGEST_ALIAS = (() => {
  const p = (process.env.POSTHOG_PROXY_PATH ?? "").trim().replace(/\/+$/, "");
  return /^\/[A-Za-z0-9_-]{1,64}$/.test(p) && p !== "/ingest" ? p : null;
})();

const app = next({ dev, hostname, port, dir: import.meta.dirname });
const handle = app.getRequestHandler();

await app.prepare();

let stopping = false;
/** Set once the idle grace is over: from then on every connection is closed as soon as it is idle. */
let closingIdle = false;

const server = createServer((req, res) => {
  req.headers["x-tandem-peer-ip"] = req.socket.remoteAddress ?? "";
  for (const [name, value] of BASE_HEADERS) res.setHeader(name, value);
  guardConnection(req, res);

  // Only origin-form targets ("/path?query") name a page or route here. An absolute-form target (a proxy's
  // "http://host/path") is read as its path, never its host (Next would redirect to that host); anything else
  // ("*", garbage) is refused, instead of Next's 500 on a URL it cannot parse.
  if (!req.url?.startsWith("/")) {
    const absolute = /^https?:\/\/[^/?#]*(\/[^#]*)?$/i.exec(req.url ?? "");
    if (!absolute) return answer(res, 400, "malformed request target", true);
    req.url = absolute[1] ?? "/";
  }
  let path = pathOf(req.url);
  if (INGEST_ALIAS && (path === INGEST_ALIAS || path.startsWith(`${INGEST_ALIAS}/`))) {
    req.url = `/ingest${req.url.slice(INGEST_ALIAS.length)}`;
    path = pathOf(req.url);
  }
  // posthog-js posts to `/e/`, `/flags/`...: served here at once instead of through Next's trailing-slash redirect,
  // which cost every analytics request a 308 and a second request.
  if (path.length > "/ingest/".length && path.startsWith("/ingest/") && path.endsWith("/")) {
    const trimmed = path.replace(/\/+$/, "");
    req.url = trimmed + req.url.slice(path.length);
    path = trimmed;
  }
  const api = isApiPath(path);
  if (!decodable(path)) return answer(res, 400, "malformed percent-encoding in the URL path", api);
  // Next throws on TRACE (a 500) instead of refusing it like other methods no route can export.
  if (req.method === "TRACE") return api ? answerMethodError(req, res) : answer(res, 405, "method TRACE is not allowed", false, { Allow: "GET, HEAD" });
  if (api) jsonMethodErrors(req, res);
  handle(req, res);
});
server.keepAliveTimeout = 5000;

/**
 * Requests Node's parser refuses (a malformed request line or header, headers over the size limit) never reach the
 * handler: answered here as everything else is, JSON with the security headers, instead of Node's bare status line.
 */
server.on("clientError", (err, socket) => {
  if (err.code === "ECONNRESET" || !socket.writable || socket._httpMessage?.headersSent) return socket.destroy();
  const [status, reason, message] =
    err.code === "HPE_HEADER_OVERFLOW"
      ? [431, "Request Header Fields Too Large", "request headers are too large"]
      : err.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "Request Timeout", "the request was not received in time"]
        : [400, "Bad Request", "malformed HTTP request"];
  endSocketWithJson(socket, status, reason, message);
});
// CONNECT (a tunnel) is no request this server serves; without these Node would drop the socket without a word.
server.on("connect", (_req, socket) => endSocketWithJson(socket, 405, "Method Not Allowed", "method CONNECT is not allowed"));
server.on("checkExpectation", (_req, res) => answer(res, 417, "only the Expect: 100-continue expectation is supported", true));

/** A JSON error written straight to a socket no response object serves, with the security headers, then closed. */
function endSocketWithJson(socket, status, reason, message) {
  const body = JSON.stringify({ error: message });
  const headers = [...BASE_HEADERS, ["Cache-Control", "no-store"], ["Content-Type", "application/json"], ["Content-Length", Buffer.byteLength(body)], ["Connection", "close"]];
  socket.end(`HTTP/1.1 ${status} ${reason}\r\n${headers.map(([k, v]) => `${k}: ${v}`).join("\r\n")}\r\n\r\n${body}`);
}

const pathOf = (url = "/") => {
  const q = url.indexOf("?");
  return q === -1 ? url : url.slice(0, q);
};
const isApiPath = (path) => /^\/(api|ingest)(\/|$)/.test(path);

/** Next decodes dynamic segments itself and answers a plain-text 500 when that throws, before any route runs. */
function decodable(path) {
  if (!path.includes("%")) return true;
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

function answer(res, status, message, json, headers = {}) {
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader("Cache-Control", "no-store");
  res.setHeader("Content-Type", json ? "application/json" : "text/plain; charset=utf-8");
  res.end(json ? JSON.stringify({ error: message }) : `${message}\n`);
}

/**
 * Keep-alive hygiene for one request. A response sent while the request body is still arriving (a 413 for a chunked
 * body past the limit, a 401 before the body was read) keeps the connection: the remainder is read and dropped (by
 * Node for a body nobody read, by lib/http/body.ts for one refused half-way), so the client's next request on the
 * socket is served. A remainder still arriving DRAIN_MS after the answer is not waited for: the connection is closed,
 * half first, so the client reads the answer rather than a reset. While shutting down every response closes its
 * connection.
 */
function guardConnection(req, res) {
  const socket = req.socket; // detached from `req` once the response is done
  const writeHead = res.writeHead;
  res.writeHead = function (...args) {
    const status = typeof args[0] === "number" ? args[0] : res.statusCode;
    // A refused body is read and dropped up to a bound (lib/http/body.ts) so the connection can serve the next
    // request; one declared larger than that will not be, so the answer says the connection closes.
    if (stopping || (status === 413 && Number(req.headers["content-length"]) > UNDRAINABLE_BODY_BYTES)) res.setHeader("Connection", "close");
    return writeHead.apply(this, args);
  };
  res.once("finish", () => {
    if (!req.complete && hasBody(req)) {
      // A handler that stopped reading half-way may leave the stream paused; the parser reaches the next request
      // only once the body has been read.
      if (!req.destroyed) req.resume();
      setTimeout(() => {
        if (!req.complete && !socket.destroyed) halfClose(socket);
      }, DRAIN_MS).unref();
    } else if (!req.readableEnded) req.resume();
    if (closingIdle) setImmediate(() => server.closeIdleConnections());
  });
}

// Checked, not assumed from `req.complete`: a bodyless request is only marked complete after the request event.
const hasBody = (req) => req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"] ?? 0) > 0;

/** Ends our side first (the client reads the answer and our FIN, not a reset), then destroys after a moment. */
function halfClose(socket) {
  socket.end();
  setTimeout(() => socket.destroy(), DRAIN_MS).unref();
}

/**
 * Next answers a method a route file does not export with an empty 405 (an empty 400 for a method outside its list).
 * API clients get JSON with `Allow`, which Next's automatic OPTIONS handler computes from the route's exports; an
 * unknown path answers OPTIONS with the catch-all's 404, so it stays a 404. The bare answer is held back at
 * writeHead (Next's compression writes the head from inside `end`) and replaced once `Allow` is known.
 */
function jsonMethodErrors(req, res) {
  let state = "watching"; // → "held" → "replaced"
  const writeHead = res.writeHead;
  const end = res.end;
  res.writeHead = function (...args) {
    const status = typeof args[0] === "number" ? args[0] : res.statusCode;
    const methodError = status === 405 || (status === 400 && !ROUTE_METHODS.has(req.method));
    if (state === "watching" && methodError && !res.hasHeader("content-type")) {
      state = "held";
      return this;
    }
    return writeHead.apply(this, args);
  };
  res.end = function (...args) {
    if (state !== "held") return end.apply(this, args);
    state = "replaced";
    answerMethodError(req, res);
    return this;
  };
}

/** A method the API path's route does not serve: 405 JSON with the route's `Allow`, or 404 JSON if no route serves it. */
function answerMethodError(req, res) {
  void allowedMethods(pathOf(req.url)).then((allow) => {
    if (res.destroyed) return;
    if (allow === null) answer(res, 404, "no such API route", true);
    else answer(res, 405, `method ${req.method} is not allowed here`, true, allow ? { Allow: allow } : {});
  });
}

/**
 * The route's `Allow` list; null when no route serves the path; "" when it cannot be learned (shutting down).
 * `path` starts with /api/ or /ingest/ (checked by the caller), so the request can only go to this server.
 */
async function allowedMethods(path) {
  const addr = server.address();
  if (!addr || typeof addr === "string") return "";
  const host = addr.address === "0.0.0.0" ? "127.0.0.1" : addr.address === "::" ? "[::1]" : addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  try {
    const res = await fetch(`http://${host}:${addr.port}${path}`, { method: "OPTIONS", signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    if (res.status === 404) return null;
    return res.headers.get("allow") ?? "";
  } catch {
    return "";
  }
}

// A port in use, an address this machine does not have, a host name that does not resolve: loud, and exit 1.
const onListenError = (err) => cannotStart(`listen on ${hostname}:${port}`, err.message);
server.once("error", onListenError);

server.listen(port, hostname, async () => {
  server.off("error", onListenError);
  // In production Next runs instrumentation.ts (config check, migrations, store) lazily on the first request;
  // one warm-up request makes start-up failures happen now, loudly, instead of on a user's first click. "ready"
  // only once it is answered: start-up may wait (another node holding the migration lock), and says so meanwhile.
  const local = hostname === "0.0.0.0" || hostname === "::" ? "127.0.0.1" : hostname;
  const listening = server.address()?.port ?? port;
  for (;;) {
    try {
      const res = await fetch(`http://${local}:${listening}/api/health`, { signal: AbortSignal.timeout(60_000) });
      await res.arrayBuffer();
      if (!res.ok) console.error(`> warm-up: /api/health answered ${res.status}; serving, degraded`);
      break;
    } catch (err) {
      // A timeout is a start-up still waiting; any other failure is the warm-up request's own (it could not reach
      // this server at that address), which no waiting mends.
      if (err?.name !== "TimeoutError") {
        console.error(`> warm-up request failed: ${err?.message ?? err}`);
        break;
      }
      console.error("> still starting: no answer to the warm-up request within 60 s; waiting");
    }
  }
  console.log(`> Tandem ready on http://${local === "127.0.0.1" ? "localhost" : local}:${listening} (${dev ? "development" : "production"})`);
  // Every route's code, loaded now that the first answer is out (next.config.ts turns off Next's own preloading,
  // which ran beside that first request): a page's first visit does not wait for its code.
  if (!dev) {
    const started = Date.now();
    try {
      // Next's custom-server wrapper → its NextServer → the NextNodeServer that loads entries.
      const inner = await app.server.getServer();
      await inner.unstable_preloadEntries();
      console.log(`> routes preloaded in ${Date.now() - started} ms`);
    } catch (err) {
      console.error(`> preloading routes failed (each loads on its first request): ${err?.message ?? err}`);
    }
  }
});

/**
 * One deadline for everything: connections drain (new ones are refused, every response says `Connection: close`,
 * idle ones close after IDLE_GRACE_MS and busy ones when their response is done) for up to DRAIN_SHARE of it,
 * stragglers are then closed, and the hooks run in the remaining time. Exit 0 once the hooks are done; 1 only if
 * they overrun.
 */
async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  const started = Date.now();
  console.log(`> ${signal}: shutting down (deadline ${SHUTDOWN_TIMEOUT_MS} ms)`);
  const deadline = setTimeout(() => {
    console.error(`> shutdown hooks did not finish within ${SHUTDOWN_TIMEOUT_MS} ms; exiting`);
    process.exit(1);
  }, SHUTDOWN_TIMEOUT_MS);
  deadline.unref();

  const drainMs = Math.floor(SHUTDOWN_TIMEOUT_MS * DRAIN_SHARE);
  const timers = [];
  const after = (ms, fn) => timers.push(setTimeout(fn, ms));
  const drained = await new Promise((resolve) => {
    // net.Server's close, not http.Server's: that one would also destroy idle keep-alive sockets at once, and so
    // reset a request the client has just sent on one. Stop listening now; close idle sockets after a grace.
    net.Server.prototype.close.call(server, () => resolve(true));
    after(Math.min(IDLE_GRACE_MS, drainMs), () => {
      closingIdle = true;
      server.closeIdleConnections();
    });
    after(drainMs, () => resolve(false));
  });
  for (const t of timers) clearTimeout(t);
  if (!drained) {
    console.error(`> connections still busy after ${drainMs} ms; closing them`);
    server.closeAllConnections();
  }

  const hook = globalThis[Symbol.for("tandem.shutdown")];
  if (typeof hook === "function") await hook();
  console.log(`> shutdown complete in ${Date.now() - started} ms`);
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
