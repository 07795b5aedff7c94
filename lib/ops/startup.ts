import { config } from "@/lib/config";
import { closeDb, dbHandle } from "@/lib/db";
import { closeStore, getStore } from "@/lib/store";
import { shutdownTelemetry, startAnalyticsRelay } from "@/lib/telemetry/sink";
import { onShutdown } from "./lifecycle";

const STARTED = Symbol.for("tandem.started");
type G = typeof globalThis & { [STARTED]?: boolean };

/** Prints why start-up failed and exits non-zero: a misconfigured server must not half-run. */
function fail(what: string, err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  console.error(`tandem: cannot start: ${what}: ${message}`);
  process.exit(1);
}

/**
 * Start-up work, run once per server process from instrumentation.ts (never at import time or during
 * `next build`): validate the configuration, open and migrate the database, connect the shared store,
 * then start background loops. Their stop functions are registered as shutdown hooks.
 */
export async function startServer(): Promise<void> {
  const g = globalThis as G;
  if (g[STARTED]) return;
  g[STARTED] = true;

  let c;
  try {
    c = config();
  } catch (err) {
    fail("configuration", err);
  }
  // Tracing first, so its shutdown hook runs last and exports the spans of everything stopped before it.
  if (c.OTEL_EXPORTER_OTLP_ENDPOINT || c.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) {
    try {
      const { startTracing, stopTracing } = await import("./tracing-sdk");
      startTracing(c.OTEL_SERVICE_NAME);
      onShutdown("tracing", stopTracing);
      // The origin only: an endpoint URL may carry credentials.
      console.log(`> tracing: OpenTelemetry, OTLP/HTTP to ${new URL(c.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? c.OTEL_EXPORTER_OTLP_ENDPOINT!).origin}`);
    } catch (err) {
      fail("tracing", err);
    }
  }
  try {
    const { driver } = await dbHandle();
    console.log(`> database: ${driver === "postgres" ? "PostgreSQL" : `PGlite (${c.DATA_DIR})`}`);
  } catch (err) {
    fail("database", err);
  }
  try {
    const store = await getStore();
    await store.ping();
    console.log(`> shared store: ${store.kind}`);
  } catch (err) {
    fail("redis", err);
  }

  // Hooks run in reverse: background loops stop first, the analytics outbox is flushed, then connections close.
  if (process.env.TANDEM_SERVER !== "1" && !c.TRUST_PROXY) {
    // Without server.mjs (or a trusted proxy) no route sees the client address: every client shares one
    // per-IP rate-limit bucket.
    console.warn("tandem: warning: not started through server.mjs and TRUST_PROXY is off — per-IP rate limits cannot tell clients apart");
  }

  onShutdown("database", closeDb);
  onShutdown("shared store", closeStore);
  // The outbox relay (issue 12) runs on every node; on shutdown it sends what it can within 5 s, and the rest
  // waits in the outbox for the next process.
  if (startAnalyticsRelay()) console.log("> analytics: outbox relay started");
  onShutdown("analytics", () => shutdownTelemetry(5000));

  // Background loops: every node may run them; their claims are atomic, so nothing fires twice.
  const { startSweepers, stopSweepers } = await import("@/lib/tasks/sweepers");
  startSweepers();
  onShutdown("task sweepers", stopSweepers);
  if (c.SCHEDULER_ENABLED) {
    const { startAutopilotScheduler, stopAutopilotScheduler } = await import("@/lib/autopilots");
    startAutopilotScheduler();
    onShutdown("autopilot scheduler", stopAutopilotScheduler);
  }
}
