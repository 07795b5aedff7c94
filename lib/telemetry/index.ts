export { events, emailDomain, EVENT_CATALOG, EVENT_NAMES, TASK_EVENT_NAMES } from "./events";
export type { AnalyticsEvent, Actor, TaskEventArgs, TaskMetricsInput, EventBuilder } from "./events";
export { recordEvent, withEvents } from "./record";
export { recordTaskEvent } from "./tasks";
export { setSinkForTests, shutdownTelemetry, startAnalyticsRelay, MemorySink } from "./sink";
export type { AnalyticsSink, PostHogMessage } from "./sink";
export { observeHttpRequest } from "./http";
export {
  registry,
  recordWebhookDelivery,
  recordGithubEventReceived,
  recordGithubPRReview,
  observeGithubPRMergeSeconds,
  inferCloudRuntimeOp,
  recordCloudRuntimeRequest,
  recordDaemonMessageReceived,
  recordBusinessOrder,
  recordRevenue,
  recordQueuedExpired,
  recordLeaseExpired,
  recordLLMUsage,
} from "./metrics";
export type { LLMUsage, TaskLabels } from "./metrics";
export { classifyFailure, normalizeFailureReason, FAILURE_REASONS, normalizeSignupSource } from "./labels";
