import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { config } from "@/lib/config";
import {
  FAILURE_REASONS,
  RUNTIME_MODES,
  cloudRuntimeStatusForCode,
  normalizeCloudRuntimeOp,
  normalizeCloudRuntimeStatus,
  normalizeCurrency,
  normalizeDaemonMessageKind,
  normalizeFailureReason,
  normalizeGithubAction,
  normalizeGithubEventKind,
  normalizeGithubPRReviewResult,
  normalizeModelAlias,
  unpricedModelAlias,
  normalizeOrderStatus,
  normalizeRuntimeMode,
  normalizeRuntimeProvider,
  normalizeTaskSource,
  normalizeTerminalStatus,
  normalizeTokenType,
  normalizeWebhookDeliveryStatus,
  normalizeWebhookProvider,
} from "./labels";
import { hashObject } from "prom-client/lib/util.js";
import { PRICING, priceModel } from "./pricing";
import { registerSampler } from "./sampler";

/**
 * The one Prometheus registry (TELEMETRY.md §3, §4, §7). It lives on globalThis so Next.js dev hot reload reuses it
 * instead of registering every family again. All families are created up front, so a scrape shows every family
 * from the first request on.
 */
export const PREFIX = "tandem_";

/** Label names that would turn a family into a per-entity series explosion (TELEMETRY.md §1 rule 5). */
export const FORBIDDEN_LABELS = ["workspace_id", "user_id", "agent_id", "task_id", "issue_id", "runtime_id", "session_id", "ip", "email"];

export const BUCKETS = {
  http: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  runtimeReady: [1, 2.5, 5, 10, 30, 60, 120, 300, 600],
  githubPRMerge: [300, 900, 1800, 3600, 7200, 21600, 43200, 86400, 172800, 604800, 2592000],
  cloudruntime: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30],
  task: [1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 3600, 7200],
  iterations: [1, 2, 3, 4, 5, 10],
};

/** Sources pre-warmed for `agent_task_failed_total` (reference §2.1). */
export const PREWARM_TASK_SOURCES = ["issue", "chat", "autopilot", "autopilot_issue", "quick_create", "other"] as const;

/**
 * `tandem_analytics_events_total{result}`: queued = written to the outbox (counted at commit); sent = accepted by
 * PostHog; failed = in a request that failed (= retried + dead_lettered); retried = rescheduled with backoff;
 * dead_lettered = refused with a 4xx PostHog never accepts, kept aside; dropped = removed unsent by the backlog cap
 * (or lost because the outbox could not be written).
 */
export const ANALYTICS_OUTCOMES = ["queued", "sent", "dropped", "failed", "retried", "dead_lettered"] as const;
export type AnalyticsOutcome = (typeof ANALYTICS_OUTCOMES)[number];

/** `tandem_analytics_erasures_total{result}`: account erasures and whether they reached PostHog. */
export const ERASURE_RESULTS = ["requested", "propagated", "failed", "not_propagated"] as const;
export type ErasureResult = (typeof ERASURE_RESULTS)[number];

/** Why the `/ingest` reverse proxy failed to reach PostHog (`tandem_analytics_proxy_errors_total{kind}`). */
export const INGEST_PROXY_ERRORS = ["upstream_5xx", "timeout", "unreachable"] as const;
export type IngestProxyError = (typeof INGEST_PROXY_ERRORS)[number];

// ---------------------------------------------------------------------------------------------------------------
// Cached series (issue 15). prom-client validates and hashes the label object on every `inc`/`observe` (and a
// histogram builds a closure per observation): ~3× the cost of the increment itself, paid on every request by the
// HTTP families and on every event by the paired counters. `incFor` / `observeFor` take the label values in
// `labelNames` order, go through prom-client's own path once per label set, keep the series entry it stored, and
// from then on update that entry in place. A reset (`registry.resetMetrics()`) replaces prom-client's map, which
// the identity check notices. metrics.test.ts compares the exposition with prom-client's own inc/observe, so a
// prom-client upgrade that changes this storage fails there rather than miscounting.

type LabelValue = string | number;
type CounterEntry = { value: number };
type HistogramEntry = { sum: number; count: number; bucketValues: Record<string, number> };
type Internals<E> = { hashMap: Record<string, E>; labelNames: string[]; sortedLabelNames: string[]; upperBounds: number[] };

function labelsOf(names: readonly string[], a: string, b?: string, c?: string, d?: string): Record<string, LabelValue> {
  const values = [a, b, c, d].filter((v) => v !== undefined);
  if (values.length !== names.length) throw new Error(`${values.length} label values for the labels ${names.join(", ")}`);
  const labels: Record<string, LabelValue> = {};
  names.forEach((n, i) => (labels[n] = values[i] as string));
  return labels;
}

type Level<E> = Map<string, E | Level<E>>;

/**
 * Series entries by label values, one Map level per label (no key string to build and hash per call); forgets
 * them all when prom-client's map was replaced (a reset).
 */
class SeriesCache<E> {
  private root: Level<E> = new Map();
  private map: object | undefined;
  get(m: Internals<E>, a: string, b?: string, c?: string, d?: string): E | undefined {
    if (m.hashMap !== this.map) {
      this.root = new Map();
      this.map = m.hashMap;
    }
    let x: E | Level<E> | undefined = this.root.get(a);
    if (b !== undefined && x !== undefined) x = (x as Level<E>).get(b);
    if (c !== undefined && x !== undefined) x = (x as Level<E>).get(c);
    if (d !== undefined && x !== undefined) x = (x as Level<E>).get(d);
    return x as E | undefined;
  }
  set(e: E, a: string, b?: string, c?: string, d?: string): void {
    const path = [a, b, c, d].filter((v) => v !== undefined);
    let level = this.root;
    for (let i = 0; i < path.length - 1; i++) {
      let next = level.get(path[i]) as Level<E> | undefined;
      if (next === undefined) level.set(path[i], (next = new Map()));
      level = next;
    }
    level.set(path[path.length - 1], e);
  }
}

/**
 * What the exposition renderer recognises our families by. Not `instanceof`: Next loads server modules more than
 * once, so the registry (on globalThis) may hold instances of another copy of these classes.
 */
export const CACHED_KIND = Symbol.for("tandem.metrics.cachedKind");
export const cachedKind = (metric: unknown): "counter" | "histogram" | undefined => (metric as { [CACHED_KIND]?: "counter" | "histogram" })?.[CACHED_KIND];

export class CachedCounter<L extends string> extends Counter<L> {
  readonly [CACHED_KIND] = "counter" as const;
  private readonly series = new SeriesCache<CounterEntry>();

  /** `inc(labels)` for the label values given in `labelNames` order. */
  incFor(a: string, b?: string, c?: string, d?: string): void {
    const m = this as unknown as Internals<CounterEntry>;
    const e = this.series.get(m, a, b, c, d);
    if (e !== undefined) {
      e.value += 1;
      return;
    }
    const labels = labelsOf(m.labelNames, a, b, c, d);
    this.inc(labels as Partial<Record<L, LabelValue>>); // prom-client's own path (validation included)
    this.series.set(m.hashMap[hashObject(labels, m.sortedLabelNames)], a, b, c, d);
  }
}

/** An OpenMetrics exemplar: the trace of one observation that fell in a bucket (the latest one is kept). */
export type Exemplar = { traceId: string; value: number; at: number };

export class CachedHistogram<L extends string> extends Histogram<L> {
  readonly [CACHED_KIND] = "histogram" as const;
  private readonly series = new SeriesCache<HistogramEntry>();
  /** The bucket keys of prom-client's `bucketValues` as strings, so an observation converts no number to a key. */
  private boundKeys?: string[];
  /** Per series entry, the latest exemplar of each bucket (index = bound, last = +Inf); a reset drops the entries. */
  private readonly exemplars = new WeakMap<object, (Exemplar | undefined)[]>();

  /** `observeFor`, keeping `traceId` as the exemplar of the bucket the value falls in (tracing on, issue 14). */
  observeWithExemplar(value: number, traceId: string, a: string, b?: string, c?: string, d?: string): void {
    this.observeFor(value, a, b, c, d);
    const m = this as unknown as Internals<HistogramEntry>;
    const e = this.series.get(m, a, b, c, d);
    if (e === undefined || !Number.isFinite(value)) return;
    const bounds = m.upperBounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]) i++;
    let slots = this.exemplars.get(e);
    if (slots === undefined) this.exemplars.set(e, (slots = new Array(bounds.length + 1)));
    slots[i] = { traceId, value, at: Date.now() / 1000 };
  }

  /** The exemplars of a series entry (as found in prom-client's `hashMap`), by bucket. */
  exemplarsOf(entry: object): readonly (Exemplar | undefined)[] | undefined {
    return this.exemplars.get(entry);
  }

  /** `observe(labels, value)` for the label values given in `labelNames` order. */
  observeFor(value: number, a: string, b?: string, c?: string, d?: string): void {
    const m = this as unknown as Internals<HistogramEntry>;
    const e = this.series.get(m, a, b, c, d);
    if (e === undefined || !Number.isFinite(value)) {
      const labels = labelsOf(m.labelNames, a, b, c, d);
      this.observe(labels as Partial<Record<L, LabelValue>>, value); // prom-client's own path (and its errors)
      this.series.set(m.hashMap[hashObject(labels, m.sortedLabelNames)], a, b, c, d);
      return;
    }
    e.sum += value;
    e.count += 1;
    // As prom-client: the first bound ≥ value counts the observation; above the last bound only +Inf (count) does.
    const bounds = m.upperBounds;
    const keys = (this.boundKeys ??= bounds.map(String));
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]) {
        e.bucketValues[keys[i]] += 1;
        break;
      }
    }
  }
}

function build(registry: Registry) {
  const analyticsPending: Record<AnalyticsOutcome, number> = { queued: 0, sent: 0, dropped: 0, failed: 0, retried: 0, dead_lettered: 0 };
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new CachedCounter<L>({ name: PREFIX + name, help, labelNames, registers: [registry] });
  const histogram = <L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]) =>
    new CachedHistogram<L>({ name: PREFIX + name, help, labelNames, buckets, registers: [registry] });
  const rt = ["runtime_mode", "provider"] as const;
  const terminal = ["source", "runtime_mode", "terminal_status"] as const;

  const f = {
    // §7 always present
    buildInfo: new Gauge({ name: PREFIX + "build_info", help: "Build version and commit (value always 1).", labelNames: ["version", "commit"], registers: [registry] }),
    httpRequests: counter("http_requests_total", "HTTP requests by route pattern.", ["method", "route", "status"]),
    httpDuration: histogram("http_request_duration_seconds", "HTTP request duration by route pattern.", ["method", "route", "status"], BUCKETS.http),
    analyticsEvents: new Counter({
      name: PREFIX + "analytics_events_total",
      help: "Server analytics events by sink outcome.",
      labelNames: ["result"],
      registers: [registry],
      // The sink counts into plain numbers (capture must stay far below 2 µs); a scrape moves them in here.
      collect() {
        for (const result of ANALYTICS_OUTCOMES) {
          const n = analyticsPending[result];
          if (n > 0) {
            analyticsPending[result] = 0;
            this.inc({ result }, n);
          }
        }
      },
    }),
    analyticsPending,
    // Set by the outbox relay from its last look at the table (a scrape never queries it).
    analyticsOutboxBacklog: new Gauge({ name: PREFIX + "analytics_outbox_backlog", help: "Analytics events waiting in the outbox (pending, not dead-lettered).", registers: [registry] }),
    analyticsOutboxOldestSeconds: new Gauge({ name: PREFIX + "analytics_outbox_oldest_pending_seconds", help: "Age of the oldest pending outbox event (0 when empty).", registers: [registry] }),
    analyticsOutboxDead: new Gauge({ name: PREFIX + "analytics_outbox_dead_letters", help: "Dead-lettered analytics events kept in the outbox.", registers: [registry] }),

    // §3 event-paired counters (incremented only by recordEvent)
    signup: counter("signup_total", "New users.", ["signup_source"]),
    logins: counter("business_logins_total", "Login attempts by outcome.", ["outcome"]),
    accountDeletions: counter("business_account_deletions_total", "Accounts erased by their owner."),
    workspaceCreated: counter("workspace_created_total", "Workspaces created.", ["source"]),
    teamInviteSent: counter("team_invite_sent_total", "Invitations created."),
    teamInviteAccepted: counter("team_invite_accepted_total", "Invitations accepted."),
    onboardingStarted: counter("onboarding_started_total", "Onboarding questionnaires started.", ["platform"]),
    onboardingQuestionnaireSubmitted: counter("onboarding_questionnaire_submitted_total", "Onboarding questionnaires completed."),
    onboardingCompleted: counter("onboarding_completed_total", "Onboardings completed.", ["path"]),
    cloudWaitlistJoined: counter("cloud_waitlist_joined_total", "Cloud waitlist joins."),
    feedbackSubmitted: counter("feedback_submitted_total", "Feedback submissions.", ["kind", "platform"]),
    contactSalesSubmitted: counter("contact_sales_submitted_total", "Contact-sales inquiries.", ["source"]),
    issueCreated: counter("issue_created_total", "Issues created.", ["source", "platform"]),
    chatMessageSent: counter("chat_message_sent_total", "Chat messages sent by users.", ["platform"]),
    agentCreated: counter("agent_created_total", "Agents created.", ["runtime_mode", "source"]),
    squadCreated: counter("squad_created_total", "Squads created."),
    autopilotCreated: counter("autopilot_created_total", "Autopilots created.", ["cadence"]),
    issueExecuted: counter("issue_executed_total", "Issues whose first task completed.", ["source"]),
    runtimeRegistered: counter("runtime_registered_total", "Runtimes registered (inserted).", rt),
    runtimeReady: counter("runtime_ready_total", "Runtimes first reporting online.", rt),
    runtimeReadySeconds: histogram("runtime_ready_seconds", "Register → first online.", rt, BUCKETS.runtimeReady),
    runtimeFailed: counter("runtime_failed_total", "Runtime registration failures.", ["runtime_mode", "provider", "failure_reason", "recoverable"]),
    runtimeOffline: counter("runtime_offline_total", "Runtimes going offline.", rt),
    autopilotRunStarted: counter("autopilot_run_started_total", "Autopilot runs started.", ["cadence", "trigger_kind"]),
    autopilotRunTerminal: counter("autopilot_run_terminal_total", "Autopilot runs finished.", ["cadence", "trigger_kind", "terminal_status"]),
    autopilotRunSkipped: counter("autopilot_run_skipped_total", "Due autopilot runs skipped.", ["cadence", "reason"]),

    // §3 typed (non-event) recorders
    webhookDelivery: counter("webhook_delivery_total", "Inbound webhook deliveries.", ["provider", "status"]),
    githubEventReceived: counter("github_event_received_total", "Verified GitHub webhook events.", ["event_kind", "action"]),
    githubPRReview: counter("github_pr_review_total", "GitHub pull request reviews.", ["result"]),
    githubPRMergeSeconds: histogram("github_pr_merge_seconds", "Pull request created → merged.", [], BUCKETS.githubPRMerge),
    cloudruntimeRequests: counter("cloudruntime_request_total", "Cloud runtime API requests.", ["op", "status"]),
    cloudruntimeDuration: histogram("cloudruntime_request_duration_seconds", "Cloud runtime API request duration.", ["op"], BUCKETS.cloudruntime),
    daemonMessageReceived: counter("daemon_message_received_total", "Inbound daemon messages by kind.", ["kind"]),
    businessOrders: counter("business_orders_total", "Orders by status.", ["status"]),
    businessRevenueCents: counter("business_revenue_cents_total", "Revenue in minor units.", ["currency"]),

    // §4 tasks and LLM
    taskEnqueued: counter("agent_task_enqueued_total", "Tasks enqueued.", ["source", "runtime_mode"]),
    taskDispatched: counter("agent_task_dispatched_total", "Tasks claimed by a runtime.", ["source", "runtime_mode"]),
    taskQueueWait: histogram("agent_task_queue_wait_seconds", "Created → dispatched.", ["source", "runtime_mode"], BUCKETS.task),
    taskStarted: counter("agent_task_started_total", "Tasks started.", ["source", "runtime_mode", "provider"]),
    taskTerminal: counter("agent_task_terminal_total", "Tasks finished.", terminal),
    taskRunSeconds: histogram("agent_task_run_seconds", "Started → finished.", terminal, BUCKETS.task),
    taskTotalSeconds: histogram("agent_task_total_seconds", "Created → finished.", terminal, BUCKETS.task),
    taskIterations: histogram("agent_task_iteration_count", "Attempts per finished task.", ["source", "terminal_status"], BUCKETS.iterations),
    taskFailed: counter("agent_task_failed_total", "Task failures by canonical reason.", ["source", "runtime_mode", "failure_reason"]),
    llmTokens: counter("llm_tokens_total", "LLM tokens of priced models.", ["provider", "model", "token_type", "runtime_mode", "source"]),
    llmCostUsd: counter("llm_cost_usd_total", "LLM cost in USD (priced models).", ["provider", "model", "token_type", "runtime_mode", "source"]),
    llmUnpricedTokens: counter("llm_unpriced_tokens_total", "LLM tokens of models without a price.", ["provider", "model_alias", "token_type"]),
    llmRequests: counter("llm_request_total", "LLM usage reports.", ["provider", "model", "runtime_mode"]),
    taskQueuedExpired: counter("task_queued_expired_total", "Queued tasks expired by the sweeper.", ["source", "runtime_mode"]),
    taskLeaseExpired: counter("task_lease_expired_total", "Task leases expired by the sweeper.", ["source"]),
    analyticsErasures: counter("analytics_erasures_total", "Account erasures and whether they reached PostHog's persons API.", ["result"]),
    ingestProxyErrors: counter("analytics_proxy_errors_total", "Browser analytics the /ingest proxy could not deliver to PostHog.", ["kind"]),
  };

  for (const result of ANALYTICS_OUTCOMES) f.analyticsEvents.inc({ result }, 0);
  for (const kind of INGEST_PROXY_ERRORS) f.ingestProxyErrors.inc({ kind }, 0);
  for (const result of ERASURE_RESULTS) f.analyticsErasures.inc({ result }, 0);
  f.analyticsOutboxBacklog.set(0);
  f.analyticsOutboxOldestSeconds.set(0);
  f.analyticsOutboxDead.set(0);
  for (const source of PREWARM_TASK_SOURCES)
    for (const runtime_mode of RUNTIME_MODES)
      for (const failure_reason of FAILURE_REASONS) f.taskFailed.inc({ source, runtime_mode, failure_reason }, 0);
  return f;
}

export type Families = ReturnType<typeof build>;
type State = { registry: Registry; families: Families };
const KEY = Symbol.for("tandem.telemetry.metrics");
type G = typeof globalThis & { [KEY]?: State };

function state(): State {
  const g = globalThis as G;
  let s = g[KEY];
  if (!s) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const families = build(registry);
    const c = config();
    families.buildInfo.set({ version: c.APP_VERSION, commit: c.GIT_COMMIT }, 1);
    registerSampler(registry); // business gauges (TELEMETRY.md §6): only with METRICS_TOKEN set and SAMPLER_ENABLED on
    s = g[KEY] = { registry, families };
  }
  return s;
}

export function registry(): Registry {
  return state().registry;
}

/** The metric families. Event-paired counters are only for `recordEvent`; lint forbids other callers. */
export function families(): Families {
  return state().families;
}

/** Tests only: forgets the registry; the next use rebuilds it (fresh counters, pre-warmed series, alias set). */
export function resetMetricsForTests(): void {
  const g = globalThis as G;
  const s = g[KEY];
  if (!s) return;
  s.registry.clear();
  delete g[KEY];
}

/** Counts sink outcomes (`tandem_analytics_events_total{result}`); a plain addition, folded in at scrape time. */
export function countAnalyticsOutcome(result: AnalyticsOutcome, n = 1): void {
  families().analyticsPending[result] += n;
}

export function countErasure(result: ErasureResult, n = 1): void {
  families().analyticsErasures.inc({ result }, n);
}

export function countIngestProxyError(kind: IngestProxyError): void {
  families().ingestProxyErrors.inc({ kind });
}

// ---------------------------------------------------------------------------------------------------------------
// Typed (non-event) recorders (TELEMETRY.md §3)

export function recordWebhookDelivery(provider: string, status: string): void {
  families().webhookDelivery.inc({ provider: normalizeWebhookProvider(provider), status: normalizeWebhookDeliveryStatus(status) });
}

export function recordGithubEventReceived(eventKind: string, action: string): void {
  families().githubEventReceived.inc({ event_kind: normalizeGithubEventKind(eventKind), action: normalizeGithubAction(action) });
}

export function recordGithubPRReview(result: string): void {
  families().githubPRReview.inc({ result: normalizeGithubPRReviewResult(result) });
}

/** Ignores values ≤ 0 (clock skew or missing timestamps). */
export function observeGithubPRMergeSeconds(seconds: number): void {
  if (Number.isFinite(seconds) && seconds > 0) families().githubPRMergeSeconds.observe(seconds);
}

/** Reference rules: the first matching path fragment names the operation. */
export function inferCloudRuntimeOp(path: string, method: string): string {
  const p = path.toLowerCase();
  if (p.includes("/billing")) return "billing";
  if (["/gateway", "/proxy", "/exec"].some((s) => p.includes(s))) return "gateway";
  if (["/start", "/provision", "/nodes/create"].some((s) => p.includes(s))) return "provision";
  if (["/stop", "/terminate", "/reboot"].some((s) => p.includes(s))) return "terminate";
  if (["/status", "/health", "/ready"].some((s) => p.includes(s))) return "status";
  if (p.includes("/nodes")) {
    const m = method.toUpperCase();
    return m === "POST" ? "provision" : m === "DELETE" ? "terminate" : "status";
  }
  return "fleet";
}

/** `outcome` is an HTTP status code, or an Error (timeouts are recognised by their message). */
export function recordCloudRuntimeRequest(op: string, outcome: number | Error | string, seconds: number): void {
  let status: string;
  if (outcome instanceof Error) {
    const m = outcome.message.toLowerCase();
    status = m.includes("timeout") || m.includes("deadline exceeded") || outcome.name === "TimeoutError" ? "timeout" : "error";
  } else if (typeof outcome === "number") status = cloudRuntimeStatusForCode(outcome);
  else status = normalizeCloudRuntimeStatus(outcome);
  const o = normalizeCloudRuntimeOp(op);
  const f = families();
  f.cloudruntimeRequests.inc({ op: o, status });
  if (Number.isFinite(seconds) && seconds >= 0) f.cloudruntimeDuration.observe({ op: o }, seconds);
}

/** One inbound daemon frame; unparseable frames pass "invalid", which normalises to `other`. */
export function recordDaemonMessageReceived(kind: string): void {
  families().daemonMessageReceived.inc({ kind: normalizeDaemonMessageKind(kind) });
}

export function recordBusinessOrder(status: string): void {
  families().businessOrders.inc({ status: normalizeOrderStatus(status) });
}

/** Adds revenue in minor units (cents); non-positive or non-integer amounts are ignored. */
export function recordRevenue(cents: number, currency: string): void {
  if (!Number.isInteger(cents) || cents <= 0) return;
  families().businessRevenueCents.inc({ currency: normalizeCurrency(currency, config().REVENUE_CURRENCIES) }, cents);
}

// ---------------------------------------------------------------------------------------------------------------
// Task and LLM recorders (TELEMETRY.md §4). Called by the task-event helper (`recordTaskEvent`) and the sweepers.

/** Labels of a task; raw values, normalised here. */
export type TaskLabels = { source: string; runtimeMode: string; provider?: string };

const src = (t: Pick<TaskLabels, "source">) => normalizeTaskSource(t.source);
const mode = (t: TaskLabels) => normalizeRuntimeMode(t.runtimeMode);

const secondsBetween = (from?: Date | null, to?: Date | null) =>
  from && to ? (to.getTime() - from.getTime()) / 1000 : -1;

export function recordTaskEnqueued(t: TaskLabels): void {
  families().taskEnqueued.incFor(src(t), mode(t));
}

export function recordTaskDispatched(t: TaskLabels & { createdAt?: Date | null; dispatchedAt?: Date | null }): void {
  const f = families();
  const s = src(t);
  const m = mode(t);
  f.taskDispatched.incFor(s, m);
  const wait = secondsBetween(t.createdAt, t.dispatchedAt);
  if (wait >= 0) f.taskQueueWait.observeFor(wait, s, m);
}

export function recordTaskStarted(t: TaskLabels): void {
  families().taskStarted.incFor(src(t), mode(t), normalizeRuntimeProvider(t.provider));
}

export type TaskTerminal = TaskLabels & {
  status: "completed" | "failed" | "cancelled" | "blocked";
  createdAt?: Date | null;
  startedAt?: Date | null;
  completedAt?: Date | null;
  attempt?: number;
};

/** `status` overrides `t.status` (the task-event helper passes the task's metrics view as it is, without a copy). */
export function recordTaskTerminal(t: Omit<TaskTerminal, "status"> & { status?: TaskTerminal["status"] }, status = t.status): void {
  const f = families();
  const s = src(t);
  const m = mode(t);
  const terminal = normalizeTerminalStatus(status);
  f.taskTerminal.incFor(s, m, terminal);
  const run = secondsBetween(t.startedAt, t.completedAt);
  if (run >= 0) f.taskRunSeconds.observeFor(run, s, m, terminal);
  const total = secondsBetween(t.createdAt, t.completedAt);
  if (total >= 0) f.taskTotalSeconds.observeFor(total, s, m, terminal);
  f.taskIterations.observeFor(Math.max(1, t.attempt ?? 1), s, terminal);
}

export function recordTaskFailed(t: TaskLabels & { failureReason?: string }): void {
  families().taskFailed.incFor(src(t), mode(t), normalizeFailureReason(t.failureReason ?? ""));
}

export function recordQueuedExpired(t: TaskLabels): void {
  families().taskQueuedExpired.incFor(src(t), mode(t));
}

export function recordLeaseExpired(t: Pick<TaskLabels, "source">): void {
  families().taskLeaseExpired.incFor(src(t));
}

export type LLMUsage = TaskLabels & {
  provider: string;
  model: string;
  tokens: Partial<Record<"input" | "output" | "cache_read" | "cache_write", number>>;
  /** false when this (task, model) was already counted as a request by an earlier report (default true). */
  newRequest?: boolean;
};

/** The `model_alias` values of tandem_llm_unpriced_tokens_total besides "other" and "unknown" (see unpricedModelAlias). */
export function allowedModelAliases(): ReadonlySet<string> {
  const c = config();
  if (aliasCache?.config !== c) {
    const names = [...Object.keys(PRICING).map((k) => k.slice(k.indexOf(":") + 1)), ...c.LLM_MODEL_ALIASES];
    aliasCache = { config: c, set: new Set(names.map(normalizeModelAlias)) };
  }
  return aliasCache.set;
}
let aliasCache: { config: ReturnType<typeof config>; set: ReadonlySet<string> } | undefined;

/**
 * One usage row of a task. The caller guarantees idempotency per (task, model): call this only when the stored
 * usage row was inserted or its counts changed, with the delta.
 */
export function recordLLMUsage(u: LLMUsage): void {
  const s = state();
  const f = s.families;
  const runtime_mode = normalizeRuntimeMode(u.runtimeMode);
  const source = normalizeTaskSource(u.source);
  const priced = priceModel(u.model);
  if (u.newRequest !== false) {
    if (priced) f.llmRequests.inc({ provider: priced.vendor, model: priced.model, runtime_mode });
    else f.llmRequests.inc({ provider: normalizeRuntimeProvider(u.provider), model: "unknown", runtime_mode });
  }
  const alias = priced ? "" : unpricedModelAlias(u.model, allowedModelAliases());
  for (const [rawType, n] of Object.entries(u.tokens)) {
    if (typeof n !== "number" || !Number.isFinite(n) || n <= 0) continue;
    const token_type = normalizeTokenType(rawType);
    if (priced) {
      const labels = { provider: priced.vendor, model: priced.model, token_type, runtime_mode, source };
      f.llmTokens.inc(labels, n);
      const cost = (n * priced.price[token_type]) / 1e6;
      if (cost > 0) f.llmCostUsd.inc(labels, cost);
    } else {
      f.llmUnpricedTokens.inc({ provider: normalizeRuntimeProvider(u.provider), model_alias: alias, token_type }, n);
    }
  }
}
