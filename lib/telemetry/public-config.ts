import { normalizeEnvironment } from "@/lib/config";
// Not from ./sink: proxy.ts reads this module on every request and must not load posthog-node with it.
import { DEFAULT_POSTHOG_HOST } from "@/lib/analytics-client/client";
import { trimTrailingSlashes } from "@/lib/http/text";

export type PublicConfig = {
  posthog_key: string;
  posthog_host: string;
  analytics_environment: string;
  allow_signup: boolean;
  /** `required`: the browser asks before it stores or sends anything personal (ANALYTICS_CONSENT). */
  analytics_consent: "required" | "implied";
  /** The browser calls `posthog.group('workspace', id)` (POSTHOG_GROUPS). */
  posthog_groups: boolean;
  google_client_id?: string;
};

/** Where the browser sends analytics with POSTHOG_PROXY (POSTHOG_PROXY_PATH, default `/ingest`; validated at start-up). */
export function ingestProxyPath(env: Record<string, string | undefined> = process.env): string {
  const p = trimTrailingSlashes((env.POSTHOG_PROXY_PATH ?? "").trim());
  return /^\/[A-Za-z0-9_-]{1,64}$/.test(p) ? p : "/ingest";
}

// The same spellings lib/config.ts accepts, so the server sink and the browser agree on "disabled".
/** An on/off variable read per request, as `lib/config.ts` reads flags at start-up (true, 1, yes). */
export const truthy = (v: string | undefined) => ["true", "1", "yes"].includes((v ?? "").trim().toLowerCase());

/**
 * `GET /api/config`, read straight from the environment (not the cached config) so keys can be rotated without a
 * restart. The three analytics fields are empty when analytics is disabled or no key is set.
 */
export function publicConfig(env: Record<string, string | undefined>): PublicConfig {
  const key = (env.POSTHOG_API_KEY ?? "").trim();
  const enabled = key !== "" && !truthy(env.ANALYTICS_DISABLED);
  const googleId = (env.GOOGLE_CLIENT_ID ?? "").trim();
  const googleOn = googleId !== "" && (env.GOOGLE_CLIENT_SECRET ?? "").trim() !== "";
  return {
    posthog_key: enabled ? key : "",
    // With POSTHOG_PROXY the browser talks to our own origin (app/ingest), which forwards to the real host.
    posthog_host: !enabled ? "" : truthy(env.POSTHOG_PROXY) ? ingestProxyPath(env) : (env.POSTHOG_HOST ?? "").trim() || DEFAULT_POSTHOG_HOST,
    analytics_environment: enabled ? normalizeEnvironment(env.ANALYTICS_ENVIRONMENT || env.APP_ENV || env.NODE_ENV) : "",
    allow_signup: !["false", "0", "no"].includes((env.ALLOW_SIGNUP ?? "").trim().toLowerCase()),
    analytics_consent: (env.ANALYTICS_CONSENT ?? "").trim().toLowerCase() === "required" ? "required" : "implied",
    posthog_groups: enabled && truthy(env.POSTHOG_GROUPS),
    ...(googleOn ? { google_client_id: googleId } : {}),
  };
}
