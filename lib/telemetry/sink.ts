import { randomUUID } from "node:crypto";
import { config } from "@/lib/config";
import type { Db, Tx } from "@/lib/db/client";
import type { AnalyticsEvent } from "./events";
import { countAnalyticsOutcome } from "./metrics";
import { analyticsOutbox } from "@/lib/db/schema/telemetry";
import { execLiteral, sendWithCommit, sqlLiteral } from "@/lib/db/pipeline";
import { getTableName } from "drizzle-orm";
import { OutboxRelay, type RelayOptions } from "./relay";
import { currentVisitor, type Visitor } from "./visitor";
import { erasureTarget } from "./erasure";
import { isUuid } from "@/lib/http/text";

/**
 * Where server analytics events go (TELEMETRY.md §8, superseded in part by issue 12). An event is *staged* inside
 * the transaction of the domain change (the outbox sink writes its row there) and *committed* after the commit
 * (the outbox sink wakes its relay; the memory sink records it). A rolled-back transaction therefore emits nothing.
 * Neither step ever waits on PostHog.
 */
export interface AnalyticsSink {
  readonly kind: "outbox" | "noop" | "memory";
  /** Inside the transaction, before commit. */
  stage(db: Db | Tx, staged: StagedEvent[]): Promise<void>;
  /**
   * As the last statement of a top-level transaction: where the driver allows it, the rows are sent now and travel
   * with the COMMIT (`sendWithCommit`, lib/db/pipeline.ts); the caller awaits the result after the transaction (a
   * rejection: the COMMIT was a rollback). `undefined`: nothing sent, await `stage` before committing instead.
   */
  stageWithCommit(tx: Tx, staged: StagedEvent[]): Promise<void> | undefined;
  /** After the commit. */
  committed(staged: StagedEvent[]): void;
  /** Sends everything pending so far (best effort, bounded by the request timeout per batch). */
  flush(): Promise<void>;
  /** Stops background work, sending what it can within `timeoutMs`; what is left waits in the outbox. */
  shutdown(timeoutMs?: number): Promise<void>;
}

export const DEFAULT_POSTHOG_HOST = "https://us.i.posthog.com";
export const EVENT_SCHEMA_VERSION = 2;

/** The PostHog wire message of an event (§2 envelope); `uuid` is PostHog's deduplication key. */
export type PostHogMessage = { event: string; distinct_id: string; timestamp: string; uuid: string; properties: Record<string, unknown> };

/**
 * An event and the browser behind the request that caused it. Its identity, PostHog's `uuid`, is the outbox row's,
 * drawn by PostgreSQL as the row is inserted (`gen_random_uuid()`): no UUID is made on the request path (issue 15).
 */
export type StagedEvent = { event: AnalyticsEvent; visitor?: Visitor };

export const stageEvent = (event: AnalyticsEvent): StagedEvent => {
  const visitor = currentVisitor();
  return visitor.anonDistinctId || visitor.sessionId ? { event, visitor } : { event };
};

/** Adds the §2 envelope to an event's properties (and `$groups` with POSTHOG_GROUPS). */
export function envelopeProperties(ev: AnalyticsEvent, environment: string): Record<string, unknown> {
  // Object.assign and assignments, not `{ ...ev.properties, more }`: V8 takes that spread's slow path (7.6 µs against
  // 0.15 µs for the same object, issue 15). Same keys in the same order.
  const props: Record<string, unknown> = Object.assign({}, ev.properties);
  props.event_schema_version = EVENT_SCHEMA_VERSION;
  props.environment = environment;
  props.is_demo = false;
  if (ev.workspaceId) {
    props.workspace_id = ev.workspaceId;
    if (config().POSTHOG_GROUPS) props.$groups = { workspace: ev.workspaceId };
  }
  if (props.user_id === undefined && ev.distinctId && !ev.distinctId.includes(":")) props.user_id = ev.distinctId;
  if (ev.set && Object.keys(ev.set).length > 0) props.$set = ev.set;
  if (ev.setOnce && Object.keys(ev.setOnce).length > 0) props.$set_once = ev.setOnce;
  return props;
}

export function toPostHogMessage(ev: AnalyticsEvent, environment: string, at: number = Date.now(), uuid: string = randomUUID()): PostHogMessage {
  return { event: ev.name, distinct_id: ev.distinctId, timestamp: new Date(at).toISOString(), uuid, properties: envelopeProperties(ev, environment) };
}

/** What goes on the wire for staged events: the event, stitched to its visitor, plus a `$create_alias` for `alias`. */
export type WireRow = { userId: string | null; event: string; distinctId: string; properties: Record<string, unknown> };

export function wireRows(staged: StagedEvent[], environment: string): WireRow[] {
  const rows: WireRow[] = [];
  for (const { event: ev, visitor } of staged) {
    const properties = envelopeProperties(ev, environment);
    // The account the consent check looks up at send time. A contact-sales inquiry's id (its `user_id`) is no
    // account: the check would take it for an erased one.
    const uid = !ev.accountless && typeof properties.user_id === "string" && isUuid(properties.user_id) ? properties.user_id : null;
    const distinctId = ev.distinctId;
    if (visitor?.sessionId) properties.$session_id = visitor.sessionId;
    rows.push({ userId: uid, event: ev.name, distinctId, properties });
    const anon = aliasOf({ event: ev, visitor });
    if (anon) {
      const alias = envelopeProperties({ name: "$create_alias", distinctId, properties: { alias: anon, distinct_id: distinctId }, capture: true }, environment);
      rows.push({ userId: uid, event: "$create_alias", distinctId, properties: alias });
    }
  }
  return rows;
}

/**
 * The anonymous id a staged event's `$create_alias` merges into its person, if it gets one. PostHog merges the
 * anonymous person into this one (and refuses to merge one already identified). Our user ids are v4 UUIDs while
 * posthog-js mints v7 ones, so a header naming someone else's account is never aliased.
 */
function aliasOf({ event: ev, visitor }: StagedEvent): string | null {
  const anon = visitor?.anonDistinctId;
  if (!anon || ev.visitor !== "alias" || anon === ev.distinctId) return null;
  const looksLikeUserId = isUuid(anon) && anon[14] === "4";
  return looksLikeUserId ? null : anon;
}

/** How many outbox rows (events and their aliases) staged events make: what `queued` counts, as `sent` counts rows. */
export function wireRowCount(staged: StagedEvent[]): number {
  let n = staged.length;
  for (const s of staged) if (aliasOf(s)) n++;
  return n;
}

/** One multi-row insert into the outbox, in the caller's transaction. */
export async function writeOutboxRows(db: Db | Tx, staged: StagedEvent[], environment: string): Promise<void> {
  if (staged.length === 0) return;
  await execLiteral(db, outboxInsertSql(wireRows(staged, environment)));
}

const OUTBOX_COLUMNS = [analyticsOutbox.userId, analyticsOutbox.event, analyticsOutbox.distinctId, analyticsOutbox.properties];
let outboxInsertHead: string | undefined;

/**
 * The outbox insert as one SQL text with its values as literals (`sendWithCommit` takes no parameters, and PGlite
 * runs such a text for a third of a parameterised insert's CPU: `execLiteral`), built directly: drizzle's query
 * builder alone costs ~40 µs for one row (issue 15). Column names come from the schema.
 */
export function outboxInsertSql(rows: WireRow[]): string {
  outboxInsertHead ??= `insert into ${getTableName(analyticsOutbox)} (${OUTBOX_COLUMNS.map((c) => c.name).join(", ")}) values `;
  let text = outboxInsertHead;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    text += `${i === 0 ? "" : ","}(${sqlLiteral(r.userId)}::uuid,${sqlLiteral(r.event)},${sqlLiteral(r.distinctId)},${sqlLiteral(JSON.stringify(r.properties))}::jsonb)`;
  }
  return text;
}

/** The outbox rows as the last statement of a top-level transaction, sent with its COMMIT where the driver allows. */
export function writeOutboxRowsWithCommit(tx: Tx, staged: StagedEvent[], environment: string): Promise<void> | undefined {
  if (staged.length === 0) return Promise.resolve();
  return sendWithCommit(tx, outboxInsertSql(wireRows(staged, environment)));
}

/** No key, or ANALYTICS_DISABLED: no row, no network, nothing kept. */
export class NoopSink implements AnalyticsSink {
  readonly kind = "noop";
  async stage(): Promise<void> {}
  stageWithCommit(): undefined {
    return undefined;
  }
  committed(): void {}
  async flush(): Promise<void> {}
  async shutdown(_timeoutMs?: number): Promise<void> {}
}

/** Keeps every committed event (and its wire message) for assertions. */
export class MemorySink implements AnalyticsSink {
  readonly kind = "memory";
  readonly events: AnalyticsEvent[] = [];
  readonly messages: PostHogMessage[] = [];
  constructor(private readonly environment = "dev") {}
  async stage(): Promise<void> {}
  stageWithCommit(): undefined {
    return undefined;
  }
  committed(staged: StagedEvent[]): void {
    const timestamp = new Date().toISOString();
    for (const s of staged) this.events.push(s.event);
    for (const r of wireRows(staged, this.environment))
      this.messages.push({ event: r.event, distinct_id: r.distinctId, timestamp, uuid: randomUUID(), properties: r.properties });
  }
  named(name: string): PostHogMessage[] {
    return this.messages.filter((m) => m.event === name);
  }
  clear(): void {
    this.events.length = 0;
    this.messages.length = 0;
  }
  async flush(): Promise<void> {}
  async shutdown(_timeoutMs?: number): Promise<void> {}
}

/**
 * The production sink: rows in `analytics_outbox`, delivered by this process's relay (every node runs one; rows
 * another node wrote are found by polling, rows of a node that died by lease expiry).
 */
export class OutboxSink implements AnalyticsSink {
  readonly kind = "outbox";
  readonly relay: OutboxRelay;
  /** This process wrote rows: shutdown sends them even if the relay was never started (scripts, tests). */
  private wrote = false;
  constructor(private readonly environment: string, relayOptions: RelayOptions) {
    this.relay = new OutboxRelay(relayOptions);
  }
  stage(db: Db | Tx, staged: StagedEvent[]): Promise<void> {
    return writeOutboxRows(db, staged, this.environment);
  }
  stageWithCommit(tx: Tx, staged: StagedEvent[]): Promise<void> | undefined {
    return writeOutboxRowsWithCommit(tx, staged, this.environment);
  }
  committed(staged: StagedEvent[]): void {
    countAnalyticsOutcome("queued", wireRowCount(staged));
    this.wrote = true;
    this.relay.wake();
  }
  flush(): Promise<void> {
    return this.relay.flush();
  }
  shutdown(timeoutMs?: number): Promise<void> {
    return this.relay.stop(timeoutMs, this.wrote);
  }
}

export function createSinkFromConfig(): AnalyticsSink {
  const c = config();
  if (c.ANALYTICS_DISABLED || !c.POSTHOG_API_KEY) return new NoopSink();
  return new OutboxSink(c.analyticsEnvironment, {
    apiKey: c.POSTHOG_API_KEY,
    host: c.POSTHOG_HOST ?? DEFAULT_POSTHOG_HOST,
    batchSize: c.ANALYTICS_RELAY_BATCH_SIZE,
    timeoutMs: c.ANALYTICS_RELAY_TIMEOUT_MS,
    backoffMinMs: c.ANALYTICS_RELAY_BACKOFF_MIN_MS,
    backoffMaxMs: c.ANALYTICS_RELAY_BACKOFF_MAX_MS,
    pollMs: c.ANALYTICS_RELAY_POLL_MS,
    maxRows: c.ANALYTICS_OUTBOX_MAX_ROWS,
    maxAgeMs: c.ANALYTICS_OUTBOX_MAX_AGE,
    consentRequired: c.ANALYTICS_CONSENT === "required",
    erasure: erasureTarget(),
  });
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

/** Start-up: every node runs the relay of its outbox sink (nothing with no key or ANALYTICS_DISABLED). */
export function startAnalyticsRelay(): boolean {
  const sink = getSink();
  if (sink instanceof OutboxSink) {
    sink.relay.start();
    return true;
  }
  return false;
}

/** Sends what it can within `timeoutMs` and stops the relay; the server calls it on SIGTERM/SIGINT. */
export async function shutdownTelemetry(timeoutMs = 5000): Promise<void> {
  const sink = (globalThis as G)[KEY];
  if (sink) await sink.shutdown(timeoutMs);
}
