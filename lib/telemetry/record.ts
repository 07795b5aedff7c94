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
import { families } from "./metrics";
import { getSink } from "./sink";

/**
 * THE emitter for product events (TELEMETRY.md §1): hands the event to the sink (unless metrics-only) and
 * increments its paired metric(s), reading labels from the event's properties through the normalisers.
 * Call it after the transaction commits, with a direct builder call: `recordEvent(events.signup({...}))`.
 * Task lifecycle events go through `recordTaskEvent` instead.
 */
export function recordEvent(event: AnalyticsEvent): void {
  if (event.capture) getSink().capture(event);
  incForEvent(event);
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
    default:
      // agent_task_* are counted by the typed task recorders (recordTaskEvent); unknown names move nothing.
      return;
  }
}
