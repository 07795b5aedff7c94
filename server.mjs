// Tandem's HTTP entry point: Next.js behind a plain node:http server, for two things `next start` cannot do:
// 1. pass the TCP peer address to route handlers (rate limits, contact-sales `submitter_ip`) in a header that
//    clients cannot forge — any incoming copy is overwritten here;
// 2. a graceful shutdown that stops accepting, finishes in-flight requests, then flushes telemetry and closes
//    the database (the shutdown hook is registered by instrumentation.ts on globalThis).
import { createServer } from "node:http";
import next from "next";

const dev = process.argv.includes("--dev");
const port = Number(process.env.PORT || 3000);
const hostname = process.env.HOST || "0.0.0.0";
process.env.TANDEM_SERVER = "1";
if (!dev) process.env.NODE_ENV = "production";

const app = next({ dev, hostname, port, dir: import.meta.dirname });
const handle = app.getRequestHandler();

await app.prepare();

const server = createServer((req, res) => {
  req.headers["x-tandem-peer-ip"] = req.socket.remoteAddress ?? "";
  handle(req, res);
});
server.keepAliveTimeout = 5000;

server.listen(port, hostname, async () => {
  // In production Next runs instrumentation.ts (config check, migrations, store) lazily on the first request;
  // one warm-up request makes start-up failures happen now, loudly, instead of on a user's first click.
  const local = hostname === "0.0.0.0" || hostname === "::" ? "127.0.0.1" : hostname;
  try {
    await fetch(`http://${local}:${port}/api/health`, { signal: AbortSignal.timeout(60_000) });
  } catch (err) {
    console.error(`> warm-up request failed: ${err?.message ?? err}`);
  }
  console.log(`> Tandem ready on http://${local === "127.0.0.1" ? "localhost" : local}:${port} (${dev ? "development" : "production"})`);
});

let stopping = false;
async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`> ${signal}: shutting down`);
  const force = setTimeout(() => {
    console.error("> shutdown timed out after 10s; exiting");
    process.exit(1);
  }, 10_000);
  force.unref();
  await new Promise((resolve) => {
    server.close(resolve);
    server.closeIdleConnections?.();
  });
  const hook = globalThis[Symbol.for("tandem.shutdown")];
  if (typeof hook === "function") await hook();
  process.exit(0);
}
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));
