/**
 * THE event catalog (TELEMETRY.md §3). One typed builder per server event; `recordEvent` is the only emitter
 * (`recordTaskEvent` for `agent_task_*`). Builders take typed arguments and return the event's name, distinct id
 * and properties; the envelope (§2) is added by the sink. `EVENT_CATALOG` describes every event for the
 * generated docs and the lint tests.
 */
import { emailDomain, hasMarkdownImage, messageLengthBucket, autopilotErrorType, taskErrorType } from "./labels";
import type { LLMUsage } from "./metrics";

export { emailDomain };

export type AnalyticsEvent = {
  name: string;
  distinctId: string;
  workspaceId?: string;
  properties: Record<string, unknown>;
  set?: Record<string, unknown>;
  setOnce?: Record<string, unknown>;
  /** false for metrics-only events (login). */
  capture: boolean;
  /** Task lifecycle events only: the labels and timestamps the typed task recorders need (not sent). */
  task?: TaskMetricsInput;
  /**
   * How the event relates to the browser that caused it (issue 16; see `visitor.ts`): `alias` — the anonymous
   * visitor is aliased to this event's distinct id (a `$create_alias` goes with it), so what they did before is
   * theirs.
   */
  visitor?: "alias";
  /** The distinct id names no account (a contact-sales inquiry): no consent lookup at send time. */
  accountless?: true;
  /** `$ai_generation` only: the usage its paired LLM counters record (not sent). */
  llm?: LLMUsage;
};

/** Who did it: a user (its id is the distinct id) or an agent (`agent:<id>`). */
export type Actor = { userId: string; agentId?: undefined } | { agentId: string; userId?: undefined };

/** Task-metric view of a task (labels are raw; the recorders normalise them). */
export type TaskMetricsInput = {
  /** Metrics source: issue | chat | autopilot | autopilot_issue | quick_create | other. */
  source: string;
  runtimeMode: string;
  provider?: string;
  createdAt?: Date | null;
  dispatchedAt?: Date | null;
  startedAt?: Date | null;
  completedAt?: Date | null;
  attempt?: number;
  failureReason?: string;
};

type Core = {
  userId?: string | null;
  agentId?: string | null;
  taskId?: string | null;
  issueId?: string | null;
  chatSessionId?: string | null;
  autopilotRunId?: string | null;
  source?: string | null;
  runtimeMode?: string | null;
  provider?: string | null;
};

/**
 * Reference `withCoreProperties`: stamped only when non-empty, in one order whatever order the caller passes them in;
 * `is_demo` always. Builders then assign their own properties onto the returned object (never
 * `{ ...core(), ...extra }`): V8 copies a spread of an object with a varying shape on its slow path, which made the
 * builder ~40× slower than plain assignments (issue 15). An assignment to a key core already set keeps that key's
 * position, exactly as the spread did.
 *
 * The argument is read in one `for…in` pass, not field by field: every builder passes an object of its own shape, so
 * once the catalog has run, a `c.userId`-style load here sees more shapes than V8 caches and takes its slowest path
 * (nine of them: ~95 against ~50 ns per call, issue 15). A `for…in` reads each shape through that shape's own cache.
 */
function core(c: Core): Record<string, unknown> {
  let userId, agentId, taskId, issueId, chatSessionId, autopilotRunId, source, runtimeMode, provider;
  for (const key in c) {
    const v = c[key as keyof Core];
    switch (key as keyof Core) {
      case "userId":
        userId = v;
        break;
      case "agentId":
        agentId = v;
        break;
      case "taskId":
        taskId = v;
        break;
      case "issueId":
        issueId = v;
        break;
      case "chatSessionId":
        chatSessionId = v;
        break;
      case "autopilotRunId":
        autopilotRunId = v;
        break;
      case "source":
        source = v;
        break;
      case "runtimeMode":
        runtimeMode = v;
        break;
      case "provider":
        provider = v;
        break;
    }
  }
  const out: Record<string, unknown> = { is_demo: false };
  // A synthetic id (`agent:…`) is never a user id.
  if (userId && !userId.includes(":")) out.user_id = userId;
  if (agentId) out.agent_id = agentId;
  if (taskId) out.task_id = taskId;
  if (issueId) out.issue_id = issueId;
  if (chatSessionId) out.chat_session_id = chatSessionId;
  if (autopilotRunId) out.autopilot_run_id = autopilotRunId;
  if (source) out.source = source;
  if (runtimeMode) out.runtime_mode = runtimeMode;
  if (provider) out.provider = provider;
  return out;
}

const actorId = (a: Actor) => (a.userId ? a.userId : `agent:${a.agentId}`);

/** Owner user, else `workspace:<id>` (daemon token without an owner). */
const ownerOrWorkspace = (ownerId: string | null | undefined, workspaceId: string) => ownerId || `workspace:${workspaceId}`;

/** The runtime events' shared part: owner (else the workspace) as distinct id, core runtime labels, `runtime_id` (when given), `daemon_id`; the caller adds the rest to `properties`. */
function runtimeEvent(
  name: string,
  a: Pick<RuntimeArgs, "ownerId" | "workspaceId" | "runtimeMode" | "provider" | "daemonId">,
  runtimeId: string | undefined,
  source?: string,
): AnalyticsEvent {
  const properties = core({ userId: a.ownerId, source, runtimeMode: a.runtimeMode, provider: a.provider });
  if (runtimeId !== undefined) properties.runtime_id = runtimeId;
  properties.daemon_id = a.daemonId;
  return { name, distinctId: ownerOrWorkspace(a.ownerId, a.workspaceId), workspaceId: a.workspaceId, properties, capture: true };
}

const msBetween = (from?: Date | null, to?: Date | null) =>
  from && to ? Math.max(0, to.getTime() - from.getTime()) : 0;


type RuntimeArgs = {
  workspaceId: string;
  ownerId?: string | null;
  runtimeId: string;
  daemonId: string;
  provider: string;
  runtimeMode: "local" | "cloud";
};

type AutopilotRunArgs = {
  workspaceId: string;
  /** Creator; none → distinct id `system`. */
  creator?: Actor | null;
  autopilotId: string;
  autopilotRunId: string;
  cadence: string;
  triggerKind: string;
  assigneeType: "agent" | "squad";
  squadId?: string | null;
  /** The executing agent (the leader for squads). */
  agentId?: string | null;
};

/** The autopilot run events' shared part; the caller adds its own properties after these. */
function autopilotRun(name: string, a: AutopilotRunArgs): AnalyticsEvent {
  const properties = core({ userId: a.creator?.userId, agentId: a.agentId, autopilotRunId: a.autopilotRunId, source: "autopilot" });
  properties.autopilot_id = a.autopilotId;
  properties.trigger_source = a.triggerKind;
  properties.trigger_kind = a.triggerKind;
  properties.cadence = a.cadence;
  properties.assignee_type = a.assigneeType;
  if (a.squadId) properties.squad_id = a.squadId;
  return { name, distinctId: a.creator ? actorId(a.creator) : "system", workspaceId: a.workspaceId, properties, capture: true };
}

/** Everything a task lifecycle event knows about its task (reference `taskAnalyticsContext`). */
export type TaskEventArgs = {
  taskId: string;
  /** Unknown workspace → the event is not sent to PostHog (metrics still count). */
  workspaceId?: string | null;
  /** Issue creator / chat or autopilot creator, when a member. */
  userId?: string | null;
  agentId?: string | null;
  issueId?: string | null;
  chatSessionId?: string | null;
  autopilotRunId?: string | null;
  /** Analytics source: manual | chat | autopilot. */
  analyticsSource: string;
  metrics: TaskMetricsInput;
};

/** A task lifecycle event; the caller adds its own properties (duration, failure) after the core ones. */
function taskEvent(name: string, t: TaskEventArgs): AnalyticsEvent {
  const distinctId = t.userId || (t.agentId ? `agent:${t.agentId}` : t.workspaceId ? `workspace:${t.workspaceId}` : "");
  const properties = core({
    userId: t.userId, agentId: t.agentId, taskId: t.taskId, issueId: t.issueId, chatSessionId: t.chatSessionId,
    autopilotRunId: t.autopilotRunId, source: t.analyticsSource, runtimeMode: t.metrics.runtimeMode,
    provider: t.metrics.provider,
  });
  return { name, distinctId, workspaceId: t.workspaceId ?? undefined, properties, capture: Boolean(t.workspaceId), task: t.metrics };
}

/** completed − started, falling back to dispatched, then created; 0 when not completed. */
function taskDurationMs(m: TaskMetricsInput): number {
  return msBetween(m.startedAt ?? m.dispatchedAt ?? m.createdAt, m.completedAt);
}

export const events = {
  signup(a: { userId: string; email: string; signupSource: string; authMethod: "email_code" | "google" }): AnalyticsEvent {
    return {
      name: "signup",
      distinctId: a.userId,
      properties: { email_domain: emailDomain(a.email), signup_source: a.signupSource, auth_method: a.authMethod },
      setOnce: { email: a.email, signup_source: a.signupSource },
      capture: true,
      visitor: "alias",
    };
  },

  /** Metrics only: `outcome` ∈ success | failure_credentials | failure_locked | failure_signup_closed | failure_other. */
  login(a: { outcome: string }): AnalyticsEvent {
    return { name: "login", distinctId: "system", properties: { outcome: a.outcome }, capture: false };
  },

  accountDeleted(a: { userId: string }): AnalyticsEvent {
    return { name: "account_deleted", distinctId: a.userId, properties: {}, capture: true };
  },

  workspaceCreated(a: { userId: string; workspaceId: string }): AnalyticsEvent {
    return { name: "workspace_created", distinctId: a.userId, workspaceId: a.workspaceId, properties: { user_id: a.userId, source: "manual" }, capture: true };
  },

  teamInviteSent(a: { inviterId: string; workspaceId: string; invitedEmail: string }): AnalyticsEvent {
    return { name: "team_invite_sent", distinctId: a.inviterId, workspaceId: a.workspaceId, properties: { invited_email_domain: emailDomain(a.invitedEmail), invite_method: "email" }, capture: true };
  },

  teamInviteAccepted(a: { userId: string; workspaceId: string; invitedAt: Date; acceptedAt: Date }): AnalyticsEvent {
    const days = Math.max(0, Math.floor((a.acceptedAt.getTime() - a.invitedAt.getTime()) / 86_400_000));
    return { name: "team_invite_accepted", distinctId: a.userId, workspaceId: a.workspaceId, properties: { days_since_invite: days }, capture: true };
  },

  /** `platform` is the raw X-Client-Platform header (normalised only for the metric). */
  onboardingStarted(a: { userId: string; platform: string; workspaceId?: string | null }): AnalyticsEvent {
    const properties = core({ userId: a.userId, source: "onboarding" });
    if (a.platform) properties.platform = a.platform;
    return { name: "onboarding_started", distinctId: a.userId, workspaceId: a.workspaceId ?? undefined, properties, capture: true };
  },

  /** Answers only as chosen options and flags; the free-text "other" answers are never sent. */
  onboardingQuestionnaireSubmitted(a: {
    userId: string;
    sources: readonly string[];
    role: string;
    useCases: readonly string[];
    sourceSkipped: boolean;
    roleSkipped: boolean;
    useCaseSkipped: boolean;
    sourceHasOther: boolean;
    roleHasOther: boolean;
    useCaseHasOther: boolean;
  }): AnalyticsEvent {
    const properties = core({ userId: a.userId });
    // The answer list is the event's `source`, as in the reference (it replaces the core `source=onboarding`).
    properties.source = a.sources.slice();
    properties.role = a.role;
    properties.use_case = a.useCases.slice();
    properties.source_skipped = a.sourceSkipped;
    properties.role_skipped = a.roleSkipped;
    properties.use_case_skipped = a.useCaseSkipped;
    properties.source_has_other = a.sourceHasOther;
    properties.role_has_other = a.roleHasOther;
    properties.use_case_has_other = a.useCaseHasOther;
    return {
      name: "onboarding_questionnaire_submitted",
      distinctId: a.userId,
      properties,
      set: { source: a.sources.slice(), role: a.role, use_case: a.useCases.slice() },
      capture: true,
    };
  },

  onboardingCompleted(a: {
    userId: string;
    workspaceId?: string | null;
    completionPath: string;
    joinedCloudWaitlist: boolean;
    /** The stored `onboarded_at` (defaults to now). */
    onboardedAt?: Date | null;
  }): AnalyticsEvent {
    const properties = core({ userId: a.userId, source: "onboarding" });
    properties.completion_path = a.completionPath;
    properties.joined_cloud_waitlist = a.joinedCloudWaitlist;
    return {
      name: "onboarding_completed",
      distinctId: a.userId,
      workspaceId: a.workspaceId ?? undefined,
      properties,
      setOnce: { onboarded_at: (a.onboardedAt ?? new Date()).toISOString() },
      capture: true,
    };
  },

  cloudWaitlistJoined(a: { userId: string; hasReason: boolean }): AnalyticsEvent {
    const properties = core({ userId: a.userId, source: "onboarding" });
    properties.has_reason = a.hasReason;
    return { name: "cloud_waitlist_joined", distinctId: a.userId, properties, capture: true };
  },

  /** The message itself is never sent: only its length bucket and whether it has images. */
  feedbackSubmitted(a: {
    userId: string;
    workspaceId?: string | null;
    kind: string;
    message: string;
    platform: string;
    appVersion: string;
  }): AnalyticsEvent {
    const properties = core({ userId: a.userId, source: "ops_feedback" });
    properties.kind = a.kind || "general";
    properties.message_length_bucket = messageLengthBucket(a.message);
    properties.has_images = hasMarkdownImage(a.message);
    if (a.platform) properties.platform = a.platform;
    if (a.appVersion) properties.app_version = a.appVersion;
    return { name: "feedback_submitted", distinctId: a.userId, workspaceId: a.workspaceId ?? undefined, properties, capture: true };
  },

  /** Public form: the distinct id is the inquiry id (there is no user). */
  contactSalesSubmitted(a: {
    inquiryId: string;
    companySize: string;
    countryRegion: string;
    useCase: string;
    hasGoals: boolean;
    formSource: string;
  }): AnalyticsEvent {
    const properties = core({ source: "marketing_contact_sales" });
    properties.inquiry_id = a.inquiryId;
    properties.company_size = a.companySize;
    properties.country_region = a.countryRegion;
    properties.use_case = a.useCase;
    properties.has_goals = a.hasGoals;
    properties.form_source = a.formSource || "page";
    return { name: "contact_sales_submitted", distinctId: a.inquiryId, properties, capture: true, visitor: "alias", accountless: true };
  },

  issueCreated(a: {
    creator: Actor;
    workspaceId: string;
    issueId: string;
    /** manual | autopilot | onboarding (the metric collapses values outside the task-source list). */
    source: string;
    platform: string;
    taskId?: string | null;
    autopilotRunId?: string | null;
  }): AnalyticsEvent {
    const properties = core({ userId: a.creator.userId, agentId: a.creator.agentId, issueId: a.issueId, taskId: a.taskId, autopilotRunId: a.autopilotRunId, source: a.source });
    if (a.platform) properties.platform = a.platform;
    return { name: "issue_created", distinctId: actorId(a.creator), workspaceId: a.workspaceId, properties, capture: true };
  },

  chatMessageSent(a: {
    userId: string;
    workspaceId: string;
    chatSessionId: string;
    taskId: string;
    agentId: string;
    runtimeMode: string;
    provider: string;
    platform: string;
  }): AnalyticsEvent {
    const properties = core({ userId: a.userId, chatSessionId: a.chatSessionId, taskId: a.taskId, agentId: a.agentId, source: "chat", runtimeMode: a.runtimeMode, provider: a.provider });
    if (a.platform) properties.platform = a.platform;
    return { name: "chat_message_sent", distinctId: a.userId, workspaceId: a.workspaceId, properties, capture: true };
  },

  agentCreated(a: {
    userId: string;
    workspaceId: string;
    agentId: string;
    provider: string;
    runtimeMode: string;
    template: string;
    isFirstAgentInWorkspace: boolean;
    source?: "manual" | "onboarding";
  }): AnalyticsEvent {
    const properties = core({ userId: a.userId, source: a.source ?? "manual" });
    properties.agent_id = a.agentId;
    properties.provider = a.provider;
    properties.runtime_mode = a.runtimeMode;
    properties.template = a.template;
    properties.is_first_agent_in_workspace = a.isFirstAgentInWorkspace;
    return { name: "agent_created", distinctId: a.userId, workspaceId: a.workspaceId, properties, capture: true };
  },

  squadCreated(a: { userId: string; workspaceId: string; squadId: string; memberCount: number }): AnalyticsEvent {
    const properties = core({ userId: a.userId, source: "manual" });
    properties.squad_id = a.squadId;
    properties.member_count = a.memberCount;
    return { name: "squad_created", distinctId: a.userId, workspaceId: a.workspaceId, properties, capture: true };
  },

  autopilotCreated(a: { userId: string; workspaceId: string; autopilotId: string; cadence: string; triggerKind: string }): AnalyticsEvent {
    const properties = core({ userId: a.userId, source: "manual" });
    properties.autopilot_id = a.autopilotId;
    properties.cadence = a.cadence;
    properties.trigger_kind = a.triggerKind;
    return { name: "autopilot_created", distinctId: a.userId, workspaceId: a.workspaceId, properties, capture: true };
  },

  /** First completion of an issue's task (atomic flip of `first_executed_at`). `source` is the task metrics source. */
  issueExecuted(a: {
    creator: Actor;
    workspaceId: string;
    issueId: string;
    taskId: string;
    agentId: string;
    source: string;
    runtimeMode: string;
    provider: string;
    startedAt?: Date | null;
    completedAt?: Date | null;
  }): AnalyticsEvent {
    const duration = msBetween(a.startedAt, a.completedAt);
    const properties = core({ userId: a.creator.userId, source: a.source, runtimeMode: a.runtimeMode, provider: a.provider });
    properties.issue_id = a.issueId;
    properties.task_id = a.taskId;
    properties.agent_id = a.agentId;
    properties.task_duration_ms = duration;
    properties.duration_ms = duration;
    return { name: "issue_executed", distinctId: actorId(a.creator), workspaceId: a.workspaceId, properties, capture: true };
  },

  runtimeRegistered(a: RuntimeArgs & { runtimeVersion: string; cliVersion: string }): AnalyticsEvent {
    const ev = runtimeEvent("runtime_registered", a, a.runtimeId, "manual");
    ev.properties.runtime_version = a.runtimeVersion;
    ev.properties.cli_version = a.cliVersion;
    return ev;
  },

  /** First online report; `readyDurationMs` = register → first online (omitted from the event when 0; the histogram still observes it). */
  runtimeReady(a: RuntimeArgs & { readyDurationMs: number }): AnalyticsEvent {
    // A runtime registered online is ready at once: the event omits the zero, as the reference's tests pin
    // ("omits ready_duration_ms when it is 0"); the histogram still observes it (recordEvent, TELEMETRY.md §10.2).
    const ev = runtimeEvent("runtime_ready", a, a.runtimeId);
    if (a.readyDurationMs > 0) ev.properties.ready_duration_ms = a.readyDurationMs;
    return ev;
  },

  runtimeFailed(a: Omit<RuntimeArgs, "runtimeId"> & { failureReason: string; errorType: string; recoverable: boolean }): AnalyticsEvent {
    // No runtime row exists yet: no runtime_id.
    const ev = runtimeEvent("runtime_failed", a, undefined);
    ev.properties.failure_reason = a.failureReason;
    ev.properties.error_type = a.errorType;
    ev.properties.recoverable = a.recoverable;
    return ev;
  },

  runtimeOffline(a: RuntimeArgs): AnalyticsEvent {
    return runtimeEvent("runtime_offline", a, a.runtimeId);
  },

  autopilotRunStarted(a: AutopilotRunArgs): AnalyticsEvent {
    return autopilotRun("autopilot_run_started", a);
  },

  autopilotRunCompleted(a: AutopilotRunArgs & { durationMs: number }): AnalyticsEvent {
    const ev = autopilotRun("autopilot_run_completed", a);
    ev.properties.duration_ms = Math.max(0, a.durationMs);
    return ev;
  },

  autopilotRunFailed(a: AutopilotRunArgs & { durationMs: number; failureReason: string }): AnalyticsEvent {
    const reason = a.failureReason || "unknown";
    const ev = autopilotRun("autopilot_run_failed", a);
    ev.properties.duration_ms = Math.max(0, a.durationMs);
    ev.properties.failure_reason = reason;
    ev.properties.error_type = autopilotErrorType(reason);
    ev.properties.will_retry = false;
    return ev;
  },

  /** `reason`: already_running | recent_run | runtime_offline | throttled | max_concurrency | trigger_disabled | signature_invalid. */
  autopilotRunSkipped(a: Omit<AutopilotRunArgs, "autopilotRunId" | "assigneeType"> & { autopilotRunId?: string; reason: string }): AnalyticsEvent {
    const properties = core({ userId: a.creator?.userId, source: "autopilot", autopilotRunId: a.autopilotRunId });
    properties.autopilot_id = a.autopilotId;
    properties.cadence = a.cadence;
    properties.trigger_kind = a.triggerKind;
    properties.reason = a.reason;
    return { name: "autopilot_run_skipped", distinctId: a.creator ? actorId(a.creator) : "system", workspaceId: a.workspaceId, properties, capture: true };
  },

  // Task lifecycle: emitted only through `recordTaskEvent` (TELEMETRY.md §1 exception).
  agentTaskQueued(t: TaskEventArgs): AnalyticsEvent {
    return taskEvent("agent_task_queued", t);
  },
  agentTaskDispatched(t: TaskEventArgs): AnalyticsEvent {
    return taskEvent("agent_task_dispatched", t);
  },
  agentTaskStarted(t: TaskEventArgs): AnalyticsEvent {
    return taskEvent("agent_task_started", t);
  },
  agentTaskCompleted(t: TaskEventArgs): AnalyticsEvent {
    const ev = taskEvent("agent_task_completed", t);
    ev.properties.duration_ms = taskDurationMs(t.metrics);
    return ev;
  },
  /** `willRetry`: the sweeper/retry logic decides; the reason is stored raw and normalised for the metric. */
  agentTaskFailed(t: TaskEventArgs & { willRetry: boolean }): AnalyticsEvent {
    const reason = t.metrics.failureReason || "agent_error";
    const ev = taskEvent("agent_task_failed", t);
    ev.properties.duration_ms = taskDurationMs(t.metrics);
    ev.properties.failure_reason = reason;
    ev.properties.error_type = taskErrorType(reason);
    ev.properties.will_retry = t.willRetry;
    return ev;
  },
  agentTaskCancelled(t: TaskEventArgs): AnalyticsEvent {
    const ev = taskEvent("agent_task_cancelled", t);
    ev.properties.duration_ms = taskDurationMs(t.metrics);
    return ev;
  },

  /**
   * PostHog LLM analytics (issue 16): one per usage report that adds tokens for a (task, model) — the growth only,
   * like the counters it moves. Privacy mode: model, provider, token counts, cost and latency; never prompt or output.
   */
  aiGeneration(a: {
    task: TaskEventArgs;
    model: string;
    provider: string;
    tokens: { input?: number; output?: number; cache_read?: number; cache_write?: number };
    costUsd?: number;
    latencySeconds?: number;
    newRequest: boolean;
  }): AnalyticsEvent {
    const base = taskEvent("$ai_generation", a.task);
    const p = base.properties;
    p.$ai_trace_id = a.task.taskId;
    p.$ai_model = a.model;
    p.$ai_provider = a.provider;
    p.$ai_input_tokens = a.tokens.input ?? 0;
    p.$ai_output_tokens = a.tokens.output ?? 0;
    if (a.tokens.cache_read) p.$ai_cache_read_input_tokens = a.tokens.cache_read;
    if (a.tokens.cache_write) p.$ai_cache_creation_input_tokens = a.tokens.cache_write;
    if (a.costUsd !== undefined) p.$ai_total_cost_usd = a.costUsd;
    if (a.latencySeconds !== undefined) p.$ai_latency = a.latencySeconds;
    base.task = undefined;
    base.llm = {
      source: a.task.metrics.source,
      runtimeMode: a.task.metrics.runtimeMode,
      provider: a.provider,
      model: a.model,
      tokens: a.tokens,
      newRequest: a.newRequest,
    };
    return base;
  },
};

export type EventBuilder = keyof typeof events;

/** Where an event's routes land (for the docs and the lint's pending list). */
type CatalogEntry = {
  name: string;
  /** Emitted when (the exactly-once rule). */
  when: string;
  /** Metric families it moves (without the `tandem_` prefix). */
  metrics: string[];
  /** true: sent to PostHog (task events only when the workspace is known). */
  capture: boolean;
  task?: true;
};

/** Every catalog event keyed by its builder name. Tests check it matches the builders exactly. */
export const EVENT_CATALOG: Record<EventBuilder, CatalogEntry> = {
  signup: { name: "signup", when: "a new user row is created (email code or Google login)", metrics: ["signup_total{signup_source}"], capture: true },
  login: { name: "login", when: "every verify-code / Google login attempt (metrics only)", metrics: ["business_logins_total{outcome}"], capture: false },
  accountDeleted: { name: "account_deleted", when: "a user erases their account", metrics: ["business_account_deletions_total"], capture: true },
  workspaceCreated: { name: "workspace_created", when: "after the creating transaction commits", metrics: ["workspace_created_total{source}"], capture: true },
  teamInviteSent: { name: "team_invite_sent", when: "an owner/admin creates an invitation", metrics: ["team_invite_sent_total"], capture: true },
  teamInviteAccepted: { name: "team_invite_accepted", when: "an invitation flips pending → accepted (atomic)", metrics: ["team_invite_accepted_total"], capture: true },
  onboardingStarted: { name: "onboarding_started", when: "first PATCH of a non-empty questionnaire (atomic flip of onboarding_started_at)", metrics: ["onboarding_started_total{platform}"], capture: true },
  onboardingQuestionnaireSubmitted: { name: "onboarding_questionnaire_submitted", when: "answers first become complete (atomic flip of questionnaire_completed_at)", metrics: ["onboarding_questionnaire_submitted_total"], capture: true },
  onboardingCompleted: { name: "onboarding_completed", when: "onboarded_at flips from NULL (atomic)", metrics: ["onboarding_completed_total{path}"], capture: true },
  cloudWaitlistJoined: { name: "cloud_waitlist_joined", when: "every successful waitlist join", metrics: ["cloud_waitlist_joined_total"], capture: true },
  feedbackSubmitted: { name: "feedback_submitted", when: "after insert (a 429 emits nothing)", metrics: ["feedback_submitted_total{kind,platform}"], capture: true },
  contactSalesSubmitted: { name: "contact_sales_submitted", when: "after insert; distinct_id = inquiry id", metrics: ["contact_sales_submitted_total{source}"], capture: true },
  issueCreated: { name: "issue_created", when: "every issue create", metrics: ["issue_created_total{source,platform}"], capture: true },
  chatMessageSent: { name: "chat_message_sent", when: "a user message is stored and its task enqueued", metrics: ["chat_message_sent_total{platform}"], capture: true },
  agentCreated: { name: "agent_created", when: "every agent create", metrics: ["agent_created_total{runtime_mode,source}"], capture: true },
  squadCreated: { name: "squad_created", when: "every squad create", metrics: ["squad_created_total"], capture: true },
  autopilotCreated: { name: "autopilot_created", when: "every autopilot create", metrics: ["autopilot_created_total{cadence}"], capture: true },
  issueExecuted: { name: "issue_executed", when: "first task completion of an issue (atomic flip of first_executed_at); chat tasks never", metrics: ["issue_executed_total{source}"], capture: true },
  runtimeRegistered: { name: "runtime_registered", when: "a runtime row is inserted (not updated) by register", metrics: ["runtime_registered_total{runtime_mode,provider}"], capture: true },
  runtimeReady: { name: "runtime_ready", when: "a runtime first reports online", metrics: ["runtime_ready_total{runtime_mode,provider}", "runtime_ready_seconds{runtime_mode,provider}"], capture: true },
  runtimeFailed: { name: "runtime_failed", when: "registration fails", metrics: ["runtime_failed_total{runtime_mode,provider,failure_reason,recoverable}"], capture: true },
  runtimeOffline: { name: "runtime_offline", when: "deregister, or the sweeper marks it stale", metrics: ["runtime_offline_total{runtime_mode,provider}"], capture: true },
  autopilotRunStarted: { name: "autopilot_run_started", when: "per run, at dispatch", metrics: ["autopilot_run_started_total{cadence,trigger_kind}"], capture: true },
  autopilotRunCompleted: { name: "autopilot_run_completed", when: "per run, on completion", metrics: ["autopilot_run_terminal_total{cadence,trigger_kind,terminal_status}"], capture: true },
  autopilotRunFailed: { name: "autopilot_run_failed", when: "per run, on dispatch error or failure", metrics: ["autopilot_run_terminal_total{cadence,trigger_kind,terminal_status}"], capture: true },
  autopilotRunSkipped: { name: "autopilot_run_skipped", when: "a due run is skipped (already running, runtime offline, trigger disabled, ...)", metrics: ["autopilot_run_skipped_total{cadence,reason}"], capture: true },
  agentTaskQueued: { name: "agent_task_queued", when: "per enqueue (every path)", metrics: ["agent_task_enqueued_total{source,runtime_mode}"], capture: true, task: true },
  agentTaskDispatched: { name: "agent_task_dispatched", when: "a runtime claims the task", metrics: ["agent_task_dispatched_total{source,runtime_mode}", "agent_task_queue_wait_seconds{source,runtime_mode}"], capture: true, task: true },
  agentTaskStarted: { name: "agent_task_started", when: "the daemon starts the task", metrics: ["agent_task_started_total{source,runtime_mode,provider}"], capture: true, task: true },
  agentTaskCompleted: { name: "agent_task_completed", when: "the task completes (canonical success event)", metrics: ["agent_task_terminal_total{source,runtime_mode,terminal_status}", "agent_task_run_seconds", "agent_task_total_seconds", "agent_task_iteration_count"], capture: true, task: true },
  agentTaskFailed: { name: "agent_task_failed", when: "the daemon reports failure, or a sweeper fails it", metrics: ["agent_task_terminal_total{source,runtime_mode,terminal_status}", "agent_task_failed_total{source,runtime_mode,failure_reason}", "agent_task_run_seconds", "agent_task_total_seconds", "agent_task_iteration_count"], capture: true, task: true },
  aiGeneration: { name: "$ai_generation", when: "a daemon usage report adds tokens for a (task, model); privacy mode (no prompt or output)", metrics: ["llm_request_total{provider,model,runtime_mode}", "llm_tokens_total", "llm_cost_usd_total", "llm_unpriced_tokens_total"], capture: true },
  agentTaskCancelled: { name: "agent_task_cancelled", when: "the task is cancelled", metrics: ["agent_task_terminal_total{source,runtime_mode,terminal_status}", "agent_task_run_seconds", "agent_task_total_seconds", "agent_task_iteration_count"], capture: true, task: true },
};

export const EVENT_NAMES: string[] = Object.values(EVENT_CATALOG).map((e) => e.name);
export const TASK_EVENT_NAMES: string[] = Object.values(EVENT_CATALOG).filter((e) => e.task).map((e) => e.name);
