/**
 * One valid event per catalog builder (typed: adding a builder without a sample fails to compile), and one call of
 * every typed recorder. Used by the pairing lint and the "every family is exposed" tests.
 */
import { events, type AnalyticsEvent, type EventBuilder, type TaskEventArgs } from "@/lib/telemetry/events";
import {
  observeGithubPRMergeSeconds,
  recordBusinessOrder,
  recordCloudRuntimeRequest,
  recordDaemonMessageReceived,
  recordGithubEventReceived,
  recordGithubPRReview,
  recordLLMUsage,
  recordLeaseExpired,
  recordQueuedExpired,
  recordRevenue,
  recordWebhookDelivery,
} from "@/lib/telemetry/metrics";
import { observeHttpRequest } from "@/lib/telemetry/http";

const t0 = new Date("2026-01-01T00:00:00Z");
const at = (s: number) => new Date(t0.getTime() + s * 1000);

const task = (over: Partial<TaskEventArgs["metrics"]> = {}): TaskEventArgs => ({
  taskId: "t-1",
  workspaceId: "w-1",
  userId: "u-1",
  agentId: "a-1",
  issueId: "i-1",
  analyticsSource: "manual",
  metrics: { source: "issue", runtimeMode: "local", provider: "claude", createdAt: t0, dispatchedAt: at(3), startedAt: at(4), completedAt: at(64), attempt: 1, ...over },
});
export const SAMPLE_RUNTIME_ARGS = { workspaceId: "w-1", ownerId: "u-1", runtimeId: "r-1", daemonId: "d-1", provider: "claude", runtimeMode: "local" as const };
const run = { workspaceId: "w-1", creator: { userId: "u-1" }, autopilotId: "ap-1", autopilotRunId: "run-1", cadence: "daily", triggerKind: "schedule", assigneeType: "agent" as const, agentId: "a-1" };

export const SAMPLE_EVENTS: { [K in EventBuilder]: () => AnalyticsEvent } = {
  signup: () => events.signup({ userId: "u-1", email: "ada@example.com", signupSource: '{"referrer_origin":"https://news.ycombinator.com"}', authMethod: "email_code" }),
  login: () => events.login({ outcome: "success" }),
  accountDeleted: () => events.accountDeleted({ userId: "u-1" }),
  workspaceCreated: () => events.workspaceCreated({ userId: "u-1", workspaceId: "w-1" }),
  teamInviteSent: () => events.teamInviteSent({ inviterId: "u-1", workspaceId: "w-1", invitedEmail: "bob@example.com" }),
  teamInviteAccepted: () => events.teamInviteAccepted({ userId: "u-2", workspaceId: "w-1", invitedAt: t0, acceptedAt: at(86400 * 2.5) }),
  onboardingStarted: () => events.onboardingStarted({ userId: "u-1", platform: "web" }),
  onboardingQuestionnaireSubmitted: () =>
    events.onboardingQuestionnaireSubmitted({ userId: "u-1", sources: ["search"], role: "engineer", useCases: ["ship_code"], sourceSkipped: false, roleSkipped: false, useCaseSkipped: false, sourceHasOther: false, roleHasOther: false, useCaseHasOther: false }),
  onboardingCompleted: () => events.onboardingCompleted({ userId: "u-1", workspaceId: "w-1", completionPath: "full", joinedCloudWaitlist: false, onboardedAt: t0 }),
  cloudWaitlistJoined: () => events.cloudWaitlistJoined({ userId: "u-1", hasReason: true }),
  feedbackSubmitted: () => events.feedbackSubmitted({ userId: "u-1", kind: "bug", message: "it broke", platform: "web", appVersion: "1.0.0" }),
  contactSalesSubmitted: () => events.contactSalesSubmitted({ inquiryId: "inq-1", companySize: "11-50", countryRegion: "EU", useCase: "eval", hasGoals: true, formSource: "page" }),
  issueCreated: () => events.issueCreated({ creator: { userId: "u-1" }, workspaceId: "w-1", issueId: "i-1", source: "manual", platform: "web" }),
  chatMessageSent: () => events.chatMessageSent({ userId: "u-1", workspaceId: "w-1", chatSessionId: "c-1", taskId: "t-1", agentId: "a-1", runtimeMode: "local", provider: "claude", platform: "desktop" }),
  agentCreated: () => events.agentCreated({ userId: "u-1", workspaceId: "w-1", agentId: "a-1", provider: "claude", runtimeMode: "local", template: "blank", isFirstAgentInWorkspace: true }),
  squadCreated: () => events.squadCreated({ userId: "u-1", workspaceId: "w-1", squadId: "s-1", memberCount: 3 }),
  autopilotCreated: () => events.autopilotCreated({ userId: "u-1", workspaceId: "w-1", autopilotId: "ap-1", cadence: "daily", triggerKind: "schedule" }),
  issueExecuted: () => events.issueExecuted({ creator: { userId: "u-1" }, workspaceId: "w-1", issueId: "i-1", taskId: "t-1", agentId: "a-1", source: "manual", runtimeMode: "local", provider: "claude", startedAt: t0, completedAt: at(60) }),
  runtimeRegistered: () => events.runtimeRegistered({ ...SAMPLE_RUNTIME_ARGS, runtimeVersion: "1.0", cliVersion: "2.0" }),
  runtimeReady: () => events.runtimeReady({ ...SAMPLE_RUNTIME_ARGS, readyDurationMs: 4200 }),
  runtimeFailed: () => events.runtimeFailed({ workspaceId: "w-1", daemonId: "d-1", provider: "claude", runtimeMode: "local", failureReason: "registration_failed", errorType: "db_error", recoverable: true }),
  runtimeOffline: () => events.runtimeOffline(SAMPLE_RUNTIME_ARGS),
  autopilotRunStarted: () => events.autopilotRunStarted(run),
  autopilotRunCompleted: () => events.autopilotRunCompleted({ ...run, durationMs: 1000 }),
  autopilotRunFailed: () => events.autopilotRunFailed({ ...run, durationMs: 1000, failureReason: "enqueue task failed" }),
  autopilotRunSkipped: () => events.autopilotRunSkipped({ workspaceId: "w-1", autopilotId: "ap-1", cadence: "daily", triggerKind: "schedule", reason: "already_running" }),
  agentTaskQueued: () => events.agentTaskQueued(task()),
  agentTaskDispatched: () => events.agentTaskDispatched(task()),
  agentTaskStarted: () => events.agentTaskStarted(task()),
  agentTaskCompleted: () => events.agentTaskCompleted(task()),
  agentTaskFailed: () => events.agentTaskFailed({ ...task({ failureReason: "API Error: 429 overloaded" }), willRetry: false }),
  agentTaskCancelled: () => events.agentTaskCancelled(task()),
  aiGeneration: () => events.aiGeneration({ task: task(), model: "claude-sonnet-4-5", provider: "claude", tokens: { input: 1200, output: 300 }, costUsd: 0.0081, latencySeconds: 12.5, newRequest: true }),
};

/** Calls every typed (non-event) recorder once with valid values. */
export function exerciseTypedRecorders(): void {
  observeHttpRequest("GET", "/api/config", 200, 0.003);
  recordWebhookDelivery("github", "dispatched");
  recordGithubEventReceived("pull_request", "opened");
  recordGithubPRReview("approved");
  observeGithubPRMergeSeconds(3600);
  recordCloudRuntimeRequest("provision", 200, 0.4);
  recordDaemonMessageReceived("daemon:heartbeat");
  recordBusinessOrder("completed");
  recordRevenue(1999, "usd");
  recordQueuedExpired({ source: "issue", runtimeMode: "local" });
  recordLeaseExpired({ source: "chat" });
  recordLLMUsage({ source: "issue", runtimeMode: "local", provider: "claude", model: "claude-sonnet-4-5", tokens: { input: 1000, output: 200 } });
  recordLLMUsage({ source: "issue", runtimeMode: "local", provider: "claude", model: "my-local-model", tokens: { input: 10 } });
}
