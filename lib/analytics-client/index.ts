import { createAnalyticsClient, type AnalyticsClient, type EventProperties, type IdentifyProperties } from "./client";
import * as clientEvents from "./events";
import { captureSignupSource } from "./signup-source";
import { consentState, readConsentChoice, writeConsentChoice, type ConsentChoice, type ConsentMode } from "./consent";

export { captureSignupSource, SIGNUP_SOURCE_COOKIE } from "./signup-source";
export { CONSENT_COOKIE, type ConsentChoice, type ConsentMode } from "./consent";
export type { AnalyticsClient, EventProperties, IdentifyProperties } from "./client";
export type { DownloadIntentSource, RuntimePath } from "./events";

/** The public part of `GET /api/config` this module reads. */
export interface PublicConfig {
  posthog_key: string;
  posthog_host: string;
  analytics_environment: string;
  app_version?: string;
  analytics_consent: ConsentMode;
  posthog_groups: boolean;
}

export function parsePublicConfig(body: unknown): PublicConfig {
  const o = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  return {
    posthog_key: str(o.posthog_key),
    posthog_host: str(o.posthog_host),
    analytics_environment: str(o.analytics_environment),
    ...(typeof o.app_version === "string" && o.app_version ? { app_version: o.app_version } : {}),
    analytics_consent: o.analytics_consent === "required" ? "required" : "implied",
    posthog_groups: o.posthog_groups === true,
  };
}

/**
 * Build-time switch (inlined by Next.js): only the e2e build sets it, so headless Chromium is not filtered as a bot.
 * It is not a runtime setting on purpose: a production build cannot be switched into accepting bot traffic.
 */
const allowBotUserAgents = process.env.NEXT_PUBLIC_ANALYTICS_TEST_MODE === "1";

const CLIENT_KEY = Symbol.for("tandem.analyticsClient");
const START_KEY = Symbol.for("tandem.analyticsStart");
type Globals = typeof globalThis & { [CLIENT_KEY]?: AnalyticsClient; [START_KEY]?: Promise<PublicConfig | null> };

export function analytics(): AnalyticsClient {
  const g = globalThis as Globals;
  if (g[CLIENT_KEY]) return g[CLIENT_KEY];
  const client = createAnalyticsClient({
    // The only place posthog-js is referenced at runtime: a dynamic import, so it is its own chunk, fetched only
    // after `/api/config` returned a key. The slim build leaves out the extensions (replay, surveys, autocapture,
    // heatmaps, exception capture, toolbar) that our init options switch off anyway: less than half the bytes.
    loadPostHog: () => import("posthog-js/dist/module.slim").then((m) => m.default),
    window: typeof window === "undefined" ? undefined : window,
  });
  // On the server this singleton is shared by every request, so it must never hold a user's calls.
  if (typeof window === "undefined") client.disable();
  g[CLIENT_KEY] = client;
  return client;
}

/** Initialises `client` from a config response; with no key posthog-js is never loaded. */
export async function initFromConfig(client: AnalyticsClient, config: PublicConfig, choice: ConsentChoice | null = null): Promise<void> {
  if (!config.posthog_key) {
    client.disable();
    return;
  }
  await client.init({
    key: config.posthog_key,
    host: config.posthog_host,
    environment: config.analytics_environment,
    appVersion: config.app_version,
    allowBotUserAgents,
    consent: consentState(config.analytics_consent, choice),
    groups: config.posthog_groups,
  });
}

/**
 * Fetches `/api/config` once per page, writes the first-touch signup-source cookie when consent allows, and
 * initialises analytics; safe to call from effects that run twice. Resolves to the config (null if unreachable).
 */
export function startAnalytics(): Promise<PublicConfig | null> {
  if (typeof window === "undefined") return Promise.resolve(null);
  const g = globalThis as Globals;
  g[START_KEY] ??= (async () => {
    const client = analytics();
    try {
      const res = await fetch("/api/config", { cache: "no-store" });
      if (!res.ok) throw new Error(`GET /api/config answered ${res.status}`);
      const config = parsePublicConfig(await res.json());
      const choice = readConsentChoice(document.cookie);
      if (consentState(config.analytics_consent, choice) === "granted") captureSignupSource();
      await initFromConfig(client, config, choice);
      return config;
    } catch (err) {
      console.warn("analytics: disabled,", err);
      client.disable();
      return null;
    }
  })();
  return g[START_KEY];
}

/** The person's current choice in this browser (null: not asked yet). */
export function currentConsentChoice(): ConsentChoice | null {
  return typeof document === "undefined" ? null : readConsentChoice(document.cookie);
}

/** Records the person's choice in this browser and applies it to posthog-js at once. */
export function setAnalyticsConsent(choice: ConsentChoice): void {
  writeConsentChoice(document, choice);
  analytics().setConsent(choice);
  if (choice === "granted") captureSignupSource();
  window.dispatchEvent(new CustomEvent(CONSENT_CHANGED_EVENT, { detail: choice }));
}

/** Dispatched on `window` whenever the choice changes (the banner and the settings form listen). */
export const CONSENT_CHANGED_EVENT = "tandem:analytics-consent";

/** Group analytics: call on entering a workspace, with null on leaving it. */
export function setAnalyticsWorkspace(workspaceId: string | null): void {
  analytics().setWorkspace(workspaceId);
}

/** Headers for our own API calls that let the server stitch an anonymous visitor's events (never used for auth). */
export function analyticsTracingHeaders(): Record<string, string> {
  return analytics().tracingHeaders();
}

/** Call after every auth success: code login, Google login and session resume. */
export function identifyUser(user: { id: string; email?: string | null; name?: string | null }): void {
  analytics().identify(user.id, { email: user.email ?? undefined, name: user.name ?? undefined });
}

/** Whether this page belongs to a signed-in person (identified by login or session resume). */
export function signedIn(): boolean {
  return analytics().userId !== null;
}

export function identify(userId: string, props?: IdentifyProperties): void {
  analytics().identify(userId, props);
}

/** Call on logout: a new anonymous distinct id, with the super-properties registered again. */
export function resetAnalytics(): void {
  analytics().reset();
}

export function capturePageview(path: string): void {
  analytics().capturePageview(path);
}

export function captureEvent(event: string, properties?: EventProperties): void {
  analytics().captureEvent(event, properties);
}

export function setPersonProperties(props: EventProperties): void {
  analytics().setPersonProperties(props);
}

export function setPersonPropertiesOnce(props: EventProperties): void {
  analytics().setPersonPropertiesOnce(props);
}

export function captureFeedbackOpened(opts?: { workspaceId?: string }): void {
  clientEvents.captureFeedbackOpened(analytics(), opts);
}

export function captureDownloadIntent(source: clientEvents.DownloadIntentSource): void {
  clientEvents.captureDownloadIntent(analytics(), source);
}

export function captureOnboardingRuntimePathSelected(opts: {
  path: clientEvents.RuntimePath;
  workspaceId?: string;
  isMac: boolean;
}): void {
  clientEvents.captureOnboardingRuntimePathSelected(analytics(), opts);
}
