import type { AnalyticsEvent } from "./events";
import {
  boolLabel,
  normalizeAutopilotCadence,
  normalizeAutopilotSkipReason,
  normalizeAutopilotTrigger,
  normalizeContactSalesSource,
  normalizeFailureReason,
  normalizeFeedbackKind,
  normalizeLoginOutcome,
  normalizeOnboardingPath,
  normalizePlatform,
  normalizeRuntimeMode,
  normalizeRuntimeProvider,
  normalizeSignupSource,
  normalizeTaskSource,
} from "./labels";
import { countAnalyticsOutcome, families, recordLLMUsage } from "./metrics";
import { getSink, stageEvent, type StagedEvent } from "./sink";
import { getDb, type Db, type Tx } from "@/lib/db/client";
import { isTopLevel } from "@/lib/db/pipeline";

type Pending = { staged: StagedEvent[]; counts: (() => void)[] };
/** Transactions opened by `withEvents`, with what was recorded inside them. */
const OPEN = new WeakMap<object, Pending>();

/**
 * Runs `fn` in a transaction whose events commit with it (issue 12): `recordEvent(events.x(...), tx)` inside `fn`
 * stages the event; its outbox row is inserted just before the commit, and its paired counters move only after the
 * commit. A rolled-back transaction emits nothing: no row, no counter, no event. Called with a transaction of an
 * outer `withEvents`, it opens a savepoint whose events join the outer transaction's.
 */
export async function withEvents<T>(db: Db | Tx, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const outer = OPEN.get(db);
  const pending: Pending = { staged: [], counts: [] };
  let written: Promise<void> | undefined;
  const result = await db.transaction(async (tx) => {
    OPEN.set(tx, pending);
    try {
      const r = await fn(tx);
      if (!outer && pending.staged.length > 0) {
        // The rows are the transaction's last statement: on PostgreSQL they go out with the COMMIT (no round trip
        // of their own, issue 15); elsewhere, or inside another transaction, they are written before it.
        const sink = getSink();
        written = isTopLevel(db) ? sink.stageWithCommit(tx, pending.staged) : undefined;
        if (written) written.catch(() => {}); // should the transaction fail first, its own error is the one reported
        else await sink.stage(tx, pending.staged);
      }
      return r;
    } finally {
      OPEN.delete(tx);
    }
  });
  // Rows sent with the COMMIT and refused made PostgreSQL answer it with a ROLLBACK: nothing committed, no counter.
  if (written) await written;
  if (outer) {
    outer.staged.push(...pending.staged);
    outer.counts.push(...pending.counts);
  } else settle(pending);
  return result;
}

function settle(p: Pending): void {
  for (const count of p.counts) count();
  if (p.staged.length > 0) getSink().committed(p.staged);
}

/**
 * The one emission path of `recordEvent` and `recordTaskEvent`. With `tx` (from `withEvents`) the event is staged
 * in that transaction. Without, it stands alone (a login attempt, or a change committed elsewhere): the counters
 * move now and its row is written on its own; awaiting it makes the event as durable as the change before it.
 * Capture never throws into the caller: a failed outbox write is logged and counted as dropped.
 */
export function emitEvent(event: AnalyticsEvent, count: () => void, tx: Tx | undefined): Promise<void> {
  if (tx) {
    const p = OPEN.get(tx);
    if (!p) throw new Error(`recordEvent(${event.name}, tx): tx must come from withEvents`);
    if (event.capture) p.staged.push(stageEvent(event));
    p.counts.push(count);
    return Promise.resolve();
  }
  count();
  if (!event.capture) return Promise.resolve();
  const sink = getSink();
  if (sink.kind === "noop") return Promise.resolve();
  const staged = [stageEvent(event)];
  if (sink.kind === "memory") {
    sink.committed(staged);
    return Promise.resolve();
  }
  return getDb()
    .then((db) => sink.stage(db, staged))
    .then(
      () => sink.committed(staged),
      (err) => {
        console.error(`analytics outbox: could not write ${event.name}:`, err instanceof Error ? err.message : err);
        countAnalyticsOutcome("dropped");
      },
    );
}

/**
 * THE emitter for product events (TELEMETRY.md §1): stages the event for PostHog (unless metrics-only) and
 * increments its paired metric(s), reading labels from the event's properties through the normalisers.
 * Call it with a direct builder call, inside the domain transaction: `recordEvent(events.signup({...}), tx)` in
 * `withEvents(db, async (tx) => ...)`; or, with no transaction, `await recordEvent(events.login({...}))`.
 * Task lifecycle events go through `recordTaskEvent` instead.
 */
export function recordEvent(event: AnalyticsEvent, tx?: Tx): Promise<void> {
  return emitEvent(event, () => incForEvent(event), tx);
}

const str = (v: unknown) => (typeof v === "string" ? v : "");
const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);

/**
 * The dispatch table of reference §3 (plus login / account_deleted / autopilot_run_skipped). Label values go
 * positionally, in each family's `labelNames` order, to the cached series (`incFor`, metrics.ts).
 */
export function incForEvent(ev: AnalyticsEvent): void {
  const f = families();
  const p = ev.properties;
  switch (ev.name) {
    case "signup":
      return f.signup.incFor(normalizeSignupSource(p.signup_source));
    case "login":
      return f.logins.incFor(normalizeLoginOutcome(p.outcome));
    case "account_deleted":
      return f.accountDeletions.inc();
    case "workspace_created":
      return f.workspaceCreated.incFor(normalizeTaskSource(p.source));
    case "team_invite_sent":
      return f.teamInviteSent.inc();
    case "team_invite_accepted":
      return f.teamInviteAccepted.inc();
    case "onboarding_started":
      return f.onboardingStarted.incFor(normalizePlatform(p.platform));
    case "onboarding_questionnaire_submitted":
      return f.onboardingQuestionnaireSubmitted.inc();
    case "onboarding_completed":
      return f.onboardingCompleted.incFor(normalizeOnboardingPath(p.completion_path));
    case "cloud_waitlist_joined":
      return f.cloudWaitlistJoined.inc();
    case "feedback_submitted":
      return f.feedbackSubmitted.incFor(normalizeFeedbackKind(p.kind), normalizePlatform(p.platform));
    case "contact_sales_submitted":
      return f.contactSalesSubmitted.incFor(normalizeContactSalesSource(p.form_source));
    case "issue_created":
      return f.issueCreated.incFor(normalizeTaskSource(p.source), normalizePlatform(p.platform));
    case "chat_message_sent":
      return f.chatMessageSent.incFor(normalizePlatform(p.platform));
    case "agent_created":
      return f.agentCreated.incFor(normalizeRuntimeMode(p.runtime_mode), normalizeTaskSource(p.source));
    case "squad_created":
      return f.squadCreated.inc();
    case "autopilot_created":
      return f.autopilotCreated.incFor(normalizeAutopilotCadence(p.cadence));
    case "issue_executed":
      return f.issueExecuted.incFor(normalizeTaskSource(p.source));
    case "runtime_registered":
      return f.runtimeRegistered.incFor(normalizeRuntimeMode(p.runtime_mode), normalizeRuntimeProvider(p.provider));
    case "runtime_ready": {
      const mode = normalizeRuntimeMode(p.runtime_mode);
      const provider = normalizeRuntimeProvider(p.provider);
      f.runtimeReady.incFor(mode, provider);
      // A runtime registered online is ready at once: the event omits a zero duration (reference shape), but the
      // histogram still observes it, or runtimes that are ready immediately would never show (TELEMETRY.md §10.2).
      const ms = num(p.ready_duration_ms);
      if (ms >= 0) f.runtimeReadySeconds.observeFor(ms / 1000, mode, provider);
      return;
    }
    case "runtime_failed":
      return f.runtimeFailed.incFor(
        normalizeRuntimeMode(p.runtime_mode),
        normalizeRuntimeProvider(p.provider),
        normalizeFailureReason(str(p.failure_reason)),
        boolLabel(p.recoverable),
      );
    case "runtime_offline":
      return f.runtimeOffline.incFor(normalizeRuntimeMode(p.runtime_mode), normalizeRuntimeProvider(p.provider));
    case "autopilot_run_started":
      return f.autopilotRunStarted.incFor(normalizeAutopilotCadence(p.cadence), normalizeAutopilotTrigger(p.trigger_kind));
    case "autopilot_run_completed":
      return f.autopilotRunTerminal.incFor(normalizeAutopilotCadence(p.cadence), normalizeAutopilotTrigger(p.trigger_kind), "completed");
    case "autopilot_run_failed":
      return f.autopilotRunTerminal.incFor(normalizeAutopilotCadence(p.cadence), normalizeAutopilotTrigger(p.trigger_kind), "failed");
    case "autopilot_run_skipped":
      return f.autopilotRunSkipped.incFor(normalizeAutopilotCadence(p.cadence), normalizeAutopilotSkipReason(p.reason));
    case "$ai_generation":
      if (ev.llm) recordLLMUsage(ev.llm);
      return;
    default:
      // agent_task_* are counted by the typed task recorders (recordTaskEvent); unknown names move nothing.
      return;
  }
}
