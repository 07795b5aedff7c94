import { PostHog } from "posthog-node";
import { config } from "@/lib/config";
import type { AnalyticsEvent } from "./events";
import { countAnalyticsOutcome } from "./metrics";

/**
 * Where server analytics events go (TELEMETRY.md §8). `capture` never blocks and never throws: the PostHog sink
 * puts the event in a bounded queue of our own and returns; a background flush hands batches to posthog-node.
 */
export interface AnalyticsSink {
  readonly kind: "posthog" | "noop" | "memory";
  capture(event: AnalyticsEvent): void;
  /** Sends everything queued so far (best effort, bounded by the request timeout per batch). */
  flush(): Promise<void>;
  /** Stops background work and flushes what is queued within `timeoutMs`. Later captures are dropped. */
  shutdown(timeoutMs?: number): Promise<void>;
}

export const DEFAULT_POSTHOG_HOST = "https://us.i.posthog.com";
export const EVENT_SCHEMA_VERSION = 2;

/** The PostHog wire message of an event (§2 envelope). */
export type PostHogMessage = { event: string; distinct_id: string; timestamp: string; properties: Record<string, unknown> };

/** Adds the §2 envelope to an event's properties. */
export function envelopeProperties(ev: AnalyticsEvent, environment: string): Record<string, unknown> {
  const props: Record<string, unknown> = { ...ev.properties, event_schema_version: EVENT_SCHEMA_VERSION, environment, is_demo: false };
  if (ev.workspaceId) props.workspace_id = ev.workspaceId;
  if (props.user_id === undefined && ev.distinctId && !ev.distinctId.includes(":")) props.user_id = ev.distinctId;
  if (ev.set && Object.keys(ev.set).length > 0) props.$set = ev.set;
  if (ev.setOnce && Object.keys(ev.setOnce).length > 0) props.$set_once = ev.setOnce;
  return props;
}

export function toPostHogMessage(ev: AnalyticsEvent, environment: string, at: number = Date.now()): PostHogMessage {
  return { event: ev.name, distinct_id: ev.distinctId, timestamp: new Date(at).toISOString(), properties: envelopeProperties(ev, environment) };
}

/** No key, or ANALYTICS_DISABLED: no network, nothing kept. */
export class NoopSink implements AnalyticsSink {
  readonly kind = "noop";
  capture(): void {}
  async flush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

/** Keeps every captured event (and its wire message) for assertions. */
export class MemorySink implements AnalyticsSink {
  readonly kind = "memory";
  readonly events: AnalyticsEvent[] = [];
  readonly messages: PostHogMessage[] = [];
  constructor(private readonly environment = "dev") {}
  capture(event: AnalyticsEvent): void {
    this.events.push(event);
    this.messages.push(toPostHogMessage(event, this.environment));
  }
  named(name: string): PostHogMessage[] {
    return this.messages.filter((m) => m.event === name);
  }
  clear(): void {
    this.events.length = 0;
    this.messages.length = 0;
  }
  async flush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

export type PostHogSinkOptions = {
  apiKey: string;
  host?: string;
  environment: string;
  /** Events held before dropping (default 1024). */
  queueSize?: number;
  /** Events per request (default 64). */
  batchSize?: number;
  /** A partial batch is sent at least this often (default 10 s). */
  flushIntervalMs?: number;
  /** Per request (default 5 s). */
  timeoutMs?: number;
};

type Queued = { ev: AnalyticsEvent; at: number };

/**
 * posthog-node behind our own bounded queue. posthog-node alone grows without bound when the host is slow
 * (in-flight batches are not limited by its maxQueueSize) and keeps failed batches for retry. So:
 * - `capture` is an O(1) ring-buffer push; beyond `queueSize` the event is dropped and counted;
 * - one flush is in flight at a time; it hands at most `batchSize` events to posthog-node and awaits its flush
 *   (no retries, `timeoutMs` per request), so the library never holds more than one batch;
 * - a failed flush counts the batch as failed and discards that client, whose queue still holds the batch
 *   for a retry we do not want.
 */
export class PostHogSink implements AnalyticsSink {
  readonly kind = "posthog";
  private readonly cap: number;
  private readonly batchSize: number;
  private readonly timeoutMs: number;
  private readonly buf: (Queued | undefined)[];
  private head = 0;
  private size = 0;
  private inFlight?: Promise<void>;
  private kickScheduled = false;
  private timer?: NodeJS.Timeout;
  private closed = false;
  private client?: PostHog;

  constructor(private readonly opts: PostHogSinkOptions) {
    this.cap = opts.queueSize ?? 1024;
    this.batchSize = opts.batchSize ?? 64;
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.buf = new Array(this.cap);
    this.timer = setInterval(() => this.kick(), opts.flushIntervalMs ?? 10_000);
    this.timer.unref();
  }

  /** Events waiting in our queue (not counting the batch in flight). */
  get pending(): number {
    return this.size;
  }

  capture(ev: AnalyticsEvent): void {
    if (this.closed || this.size >= this.cap) {
      countAnalyticsOutcome("dropped");
      return;
    }
    this.buf[(this.head + this.size) % this.cap] = { ev, at: Date.now() };
    this.size++;
    countAnalyticsOutcome("queued");
    if (this.size >= this.batchSize && !this.inFlight && !this.kickScheduled) {
      // Send outside the caller's stack: capture stays a push.
      this.kickScheduled = true;
      setImmediate(() => {
        this.kickScheduled = false;
        this.kick();
      });
    }
  }

  /** Starts one batch if none is in flight; chains the next while full batches wait. */
  private kick(): void {
    if (this.inFlight || this.size === 0) return;
    this.inFlight = this.sendBatch().finally(() => {
      this.inFlight = undefined;
      if (this.size >= this.batchSize && !this.closed) setImmediate(() => this.kick());
    });
  }

  private take(n: number): Queued[] {
    const out: Queued[] = [];
    while (out.length < n && this.size > 0) {
      out.push(this.buf[this.head]!);
      this.buf[this.head] = undefined;
      this.head = (this.head + 1) % this.cap;
      this.size--;
    }
    return out;
  }

  private newClient(): PostHog {
    // flushAt/maxQueueSize one above our batch: the library never flushes or drops on its own; we drive it.
    return new PostHog(this.opts.apiKey, {
      host: this.opts.host ?? DEFAULT_POSTHOG_HOST,
      flushAt: this.batchSize + 1,
      maxBatchSize: this.batchSize + 1,
      maxQueueSize: this.batchSize + 1,
      flushInterval: 0,
      requestTimeout: this.timeoutMs,
      fetchRetryCount: 0,
      disableGeoip: true,
      enableExceptionAutocapture: false,
    });
  }

  private async sendBatch(): Promise<void> {
    const batch = this.take(this.batchSize);
    if (batch.length === 0) return;
    const client = (this.client ??= this.newClient());
    const env = this.opts.environment;
    for (const { ev, at } of batch) {
      client.capture({ distinctId: ev.distinctId, event: ev.name, properties: envelopeProperties(ev, env), timestamp: new Date(at) });
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      // The library enforces the request timeout; this guard only protects us from a flush that never settles.
      await Promise.race([
        client.flush(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error("posthog flush did not settle")), this.timeoutMs + 1000);
        }),
      ]);
      countAnalyticsOutcome("sent", batch.length);
    } catch {
      countAnalyticsOutcome("failed", batch.length);
      if (this.client === client) this.client = undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  async flush(): Promise<void> {
    while (this.inFlight || this.size > 0) {
      if (!this.inFlight) this.kick();
      await this.inFlight;
    }
  }

  async shutdown(timeoutMs = this.timeoutMs): Promise<void> {
    clearInterval(this.timer);
    const drained = this.flush();
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([drained, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    // Whatever could not be sent in time is lost; count it.
    const left = this.take(this.size).length;
    if (left > 0) countAnalyticsOutcome("dropped", left);
    // No client.shutdown(): the library holds nothing of ours beyond a failed batch and runs no timers
    // (flushInterval 0); shutting it down would only retry that batch.
    this.client = undefined;
  }
}

export function createSinkFromConfig(): AnalyticsSink {
  const c = config();
  if (c.ANALYTICS_DISABLED || !c.POSTHOG_API_KEY) return new NoopSink();
  return new PostHogSink({ apiKey: c.POSTHOG_API_KEY, host: c.POSTHOG_HOST ?? DEFAULT_POSTHOG_HOST, environment: c.analyticsEnvironment });
}

const KEY = Symbol.for("tandem.telemetry.sink");
type G = typeof globalThis & { [KEY]?: AnalyticsSink };

/** The process-wide sink, chosen from the configuration on first use. */
export function getSink(): AnalyticsSink {
  const g = globalThis as G;
  return (g[KEY] ??= createSinkFromConfig());
}

/** Tests: install a sink (e.g. a MemorySink), or `undefined` to re-read the configuration on next use. */
export function setSinkForTests(sink: AnalyticsSink | undefined): void {
  const g = globalThis as G;
  if (sink) g[KEY] = sink;
  else delete g[KEY];
}

/** Flushes queued events (within `timeoutMs`) and stops the sink; the server calls it on SIGTERM/SIGINT. */
export async function shutdownTelemetry(timeoutMs = 5000): Promise<void> {
  const sink = (globalThis as G)[KEY];
  if (sink) await sink.shutdown(timeoutMs);
}
