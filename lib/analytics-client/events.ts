import type { AnalyticsClient } from "./client";

/**
 * Browser-only product events (reference §1.2) that apply to the web app. The reference's client-side
 * `onboarding_started` is deliberately absent: our server emits `onboarding_started` exactly once on the first
 * questionnaire PATCH, and a client event of the same name would double-count the funnel step.
 */
export type RuntimePath = "download_desktop" | "cli" | "cloud_waitlist";
export type DownloadIntentSource = "landing_hero" | "landing_footer" | "login" | "welcome" | "step3";

export function captureFeedbackOpened(client: AnalyticsClient, opts: { workspaceId?: string } = {}): void {
  client.captureEvent("feedback_opened", {
    source: "help_menu",
    ...(opts.workspaceId ? { workspace_id: opts.workspaceId } : {}),
  });
}

export function captureDownloadIntent(client: AnalyticsClient, source: DownloadIntentSource): void {
  client.captureEvent("download_intent_expressed", { source });
  client.setPersonProperties({ platform_preference: "desktop" });
}

export function captureOnboardingRuntimePathSelected(
  client: AnalyticsClient,
  opts: { path: RuntimePath; workspaceId?: string; isMac: boolean },
): void {
  client.captureEvent("onboarding_runtime_path_selected", {
    path: opts.path,
    source: "onboarding",
    surface: "step3",
    is_mac: opts.isMac,
    ...(opts.workspaceId ? { workspace_id: opts.workspaceId } : {}),
  });
  if (opts.path === "cli") client.setPersonProperties({ platform_preference: "web" });
  if (opts.path === "download_desktop") captureDownloadIntent(client, "step3");
}
