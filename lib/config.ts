import { z } from "zod";
import { version as packageVersion } from "@/package.json";

/**
 * The whole runtime configuration, read from the environment and validated once.
 * `loadConfig()` throws a readable error; `instrumentation.ts` turns that into a loud exit.
 */
const bool = <F extends boolean | undefined>(fallback: F) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return fallback;
      const s = v.trim().toLowerCase();
      if (["true", "1", "yes"].includes(s)) return true;
      if (["false", "0", "no"].includes(s)) return false;
      ctx.addIssue({ code: "custom", message: `expected true/false, got "${v}"` });
      return z.NEVER;
    });

const positiveInt = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n <= 0) {
        ctx.addIssue({ code: "custom", message: `expected a positive integer, got "${v}"` });
        return z.NEVER;
      }
      return n;
    });

/** Node's timers wait at most 2^31 - 1 ms (about 24.8 days); a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A positive number of milliseconds a timer can wait: anything longer is refused, not silently turned into 1 ms. */
const milliseconds = (fallback: number) =>
  positiveInt(fallback).refine((n) => n <= MAX_TIMER_MS, { error: `expected at most ${MAX_TIMER_MS} ms (about 24.8 days)` });

/** A duration: `500ms`, `30s`, `10m`, `12h`, `7d`, or plain milliseconds. */
const duration = (fallbackMs: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return fallbackMs;
      const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(v.trim().toLowerCase());
      const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m?.[2] ?? "ms") as "ms"];
      const n = m ? Math.round(Number(m[1]) * unit) : NaN;
      if (!Number.isFinite(n) || n <= 0) {
        ctx.addIssue({ code: "custom", message: `expected a duration like 30s, 10m or 7d, got "${v}"` });
        return z.NEVER;
      }
      return n;
    });

const list = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? "")
      .split(",")
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );

const url = (protocols: string[]) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return undefined;
      try {
        const u = new URL(v);
        if (!protocols.includes(u.protocol)) throw new Error("protocol");
        return v.trim();
      } catch {
        // Never the value itself: a malformed DATABASE_URL may still carry its password.
        ctx.addIssue({ code: "custom", message: `expected a ${protocols.join(" or ")} URL, got ${describeUrlShape(v)}` });
        return z.NEVER;
      }
    });

/** What a refused URL looked like, without anything secret: its scheme, if any, and its length. */
function describeUrlShape(v: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(v.trim())?.[1];
  return scheme ? `a "${scheme}:" value (${v.length} characters)` : `a value without a scheme (${v.length} characters)`;
}

const envSchema = z.object({
  NODE_ENV: z.string().optional(),
  DATABASE_URL: url(["postgres:", "postgresql:"]),
  /** PostgreSQL: the server ends a statement after this; the client gives up 500 ms later (503 + Retry-After). */
  DB_STATEMENT_TIMEOUT_MS: milliseconds(2000),
  DATA_DIR: z.string().optional().default("./.data"),
  REDIS_URL: url(["redis:", "rediss:"]),
  REDIS_KEY_PREFIX: z.string().optional().default("tandem:"),
  APP_URL: url(["http:", "https:"]),
  SMTP_URL: url(["smtp:", "smtps:"]),
  MAIL_FROM: z.string().optional().default("Tandem <no-reply@tandem.local>"),
  ALLOW_SIGNUP: bool(true),
  ALLOWED_EMAILS: list,
  ALLOWED_EMAIL_DOMAINS: list,
  /** Who may open /admin (operators); everyone else gets a 404. */
  ADMIN_EMAILS: list,
  GOOGLE_CLIENT_ID: z.string().optional(),
  GOOGLE_CLIENT_SECRET: z.string().optional(),
  GOOGLE_AUTH_URL: url(["http:", "https:"]),
  GOOGLE_TOKEN_URL: url(["http:", "https:"]),
  GOOGLE_USERINFO_URL: url(["http:", "https:"]),
  POSTHOG_API_KEY: z.string().optional(),
  POSTHOG_HOST: url(["http:", "https:"]),
  ANALYTICS_DISABLED: bool(false),
  /** Browser analytics through our own origin (read per request by lib/telemetry/public-config.ts; checked here). */
  POSTHOG_PROXY: bool(false),
  /** With POSTHOG_PROXY: the same-origin path the browser sends analytics to (ad blockers list `/ingest`). */
  POSTHOG_PROXY_PATH: z
    .string()
    .regex(/^\/[A-Za-z0-9_-]{1,64}$/, { error: "expected one path segment such as /a7x" })
    .optional()
    .default("/ingest"),
  ANALYTICS_ENVIRONMENT: z.string().optional(),
  /** `required`: nothing personal is kept or sent before a person agrees (consent banner); `implied`: as before. */
  ANALYTICS_CONSENT: z.enum(["required", "implied"], { error: "expected required or implied" }).optional().default("implied"),
  /** PostHog group analytics (a paid add-on): events carry `$groups: {workspace}`. */
  POSTHOG_GROUPS: bool(false),
  /** Account erasure reaches PostHog through its persons API (both needed; else erasure is logged as not propagated). */
  POSTHOG_PERSONAL_API_KEY: z.string().optional(),
  POSTHOG_PROJECT_ID: z.string().regex(/^[0-9]{1,20}$/, { error: "expected a numeric project id" }).optional(),
  /** PostHog's app host for its private API; default derived from POSTHOG_HOST (us.i.posthog.com → us.posthog.com). */
  POSTHOG_API_HOST: url(["http:", "https:"]),
  /** Outbox backlog cap (issue 12): beyond it the oldest rows are dropped and counted. */
  ANALYTICS_OUTBOX_MAX_ROWS: positiveInt(1_000_000),
  ANALYTICS_OUTBOX_MAX_AGE: duration(7 * 86_400_000),
  /** Relay tuning: events per request, per-request timeout, retry backoff bounds, poll for other nodes' rows. */
  ANALYTICS_RELAY_BATCH_SIZE: positiveInt(1000),
  ANALYTICS_RELAY_TIMEOUT_MS: milliseconds(5000),
  ANALYTICS_RELAY_BACKOFF_MIN_MS: milliseconds(1000),
  ANALYTICS_RELAY_BACKOFF_MAX_MS: milliseconds(300_000),
  ANALYTICS_RELAY_POLL_MS: milliseconds(2000),
  /** Tracing (issue 14): OpenTelemetry is loaded only when one of these is set (docs/operations.md, Tracing). */
  OTEL_EXPORTER_OTLP_ENDPOINT: url(["http:", "https:"]),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url(["http:", "https:"]),
  OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(["http/protobuf", "http/json"], { error: "expected http/protobuf or http/json" }).optional(),
  OTEL_SERVICE_NAME: z.string().optional().default("tandem"),
  APP_ENV: z.string().optional(),
  METRICS_TOKEN: z.string().optional(),
  TRUST_PROXY: bool(false),
  SECURE_COOKIES: bool(undefined),
  RATE_LIMIT_SEND_CODE_EMAIL: positiveInt(5),
  RATE_LIMIT_SEND_CODE_IP: positiveInt(30),
  RATE_LIMIT_CONTACT_SALES_IP: positiveInt(5),
  RATE_LIMIT_CONTACT_SALES_EMAIL: positiveInt(3),
  RATE_LIMIT_FEEDBACK: positiveInt(10),
  /** Inbound webhooks per minute: per client IP (autopilot + Stripe) and per autopilot trigger. */
  RATE_LIMIT_WEBHOOK_IP: positiveInt(30),
  RATE_LIMIT_WEBHOOK_TRIGGER: positiveInt(60),
  /** Stored autopilot webhook deliveries older than this are deleted (when their autopilot receives the next one). */
  WEBHOOK_DELIVERY_RETENTION_DAYS: positiveInt(30),
  /** ISO-4217 codes the revenue counter keeps as their own label; anything else counts as `other`. */
  REVENUE_CURRENCIES: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const codes = (v ?? "usd,eur,gbp").split(",").map((s) => s.trim().toLowerCase()).filter(Boolean);
      const bad = codes.find((c) => !/^[a-z]{3}$/.test(c));
      if (bad) {
        ctx.addIssue({ code: "custom", message: `expected comma-separated ISO-4217 codes, got "${bad}"` });
        return z.NEVER;
      }
      return codes;
    }),
  /**
   * Unpriced model names that keep their own `model_alias` label on tandem_llm_unpriced_tokens_total (with the
   * pricing table's models); any other model counts as `other`, so usage reports cannot grow the label. `echo` is the
   * reference daemon's demo provider.
   */
  LLM_MODEL_ALIASES: z
    .string()
    .optional()
    .transform((v) => (v ?? "echo").split(",").map((s) => s.trim()).filter(Boolean)),
  // The package's version, however the server was started (`node server.mjs` sets no npm_package_version).
  APP_VERSION: z.string().optional().default(packageVersion),
  GIT_COMMIT: z.string().optional().default("unknown"),
  SAMPLER_ENABLED: bool(true),
  SAMPLER_DATABASE_URL: url(["postgres:", "postgresql:"]),
  SAMPLER_QUERY_TIMEOUT_MS: milliseconds(500),
  SAMPLER_CACHE_TTL_MS: milliseconds(8000),
  SWEEPERS_ENABLED: bool(true),
  SCHEDULER_ENABLED: bool(true),
  // Integrations (PRODUCT.md part 8). Each one is off until its variables are set.
  /** Cloud fleet service: cloud-runtime proxy, billing proxy, Stripe forwarding, `tcn_` token verification. */
  CLOUD_FLEET_URL: url(["http:", "https:"]),
  /** Service credential sent to the fleet as `Authorization: Bearer` (never a user's token). */
  CLOUD_FLEET_TOKEN: z.string().optional().transform((v) => v?.trim() || undefined),
  CLOUD_FLEET_TIMEOUT_MS: milliseconds(35_000),
  /** Stripe endpoint secret (`whsec_...`); without it `POST /api/webhooks/stripe` answers 503. */
  STRIPE_WEBHOOK_SECRET: z.string().optional().transform((v) => v?.trim() || undefined),
  /** GitHub App webhook secret; also signs the install state. Without it the GitHub webhook answers 503. */
  GITHUB_WEBHOOK_SECRET: z.string().optional().transform((v) => v?.trim() || undefined),
  /** GitHub App slug for the install URL (`https://github.com/apps/<slug>/installations/new`). */
  GITHUB_APP_SLUG: z.string().optional().transform((v) => v?.trim() || undefined),
  GITHUB_URL: url(["http:", "https:"]),
});

export type Config = z.infer<typeof envSchema> & {
  googleEnabled: boolean;
  /** Whether cookies carry `Secure` (derived from SECURE_COOKIES, APP_URL and NODE_ENV). */
  secureCookies: boolean;
  analyticsEnvironment: "production" | "staging" | "dev";
};

export class ConfigError extends Error {}

/** production/prod → production, staging/stage → staging, everything else → dev. */
export function normalizeEnvironment(raw: string | undefined): "production" | "staging" | "dev" {
  const s = (raw ?? "").trim().toLowerCase();
  if (s === "production" || s === "prod") return "production";
  if (s === "staging" || s === "stage") return "staging";
  return "dev";
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
  }
  const c = parsed.data;
  if (Boolean(c.GOOGLE_CLIENT_ID) !== Boolean(c.GOOGLE_CLIENT_SECRET)) {
    throw new ConfigError("invalid configuration:\n  GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET must be set together");
  }
  return {
    ...c,
    googleEnabled: Boolean(c.GOOGLE_CLIENT_ID && c.GOOGLE_CLIENT_SECRET),
    // API.md: Secure in production. An explicit SECURE_COOKIES wins, then APP_URL's scheme (an http APP_URL is a
    // plain-http deployment); with neither, production. Browsers keep Secure cookies from http://localhost too.
    secureCookies: c.SECURE_COOKIES ?? (c.APP_URL ? c.APP_URL.startsWith("https://") : c.NODE_ENV === "production"),
    analyticsEnvironment: normalizeEnvironment(c.ANALYTICS_ENVIRONMENT || c.APP_ENV || c.NODE_ENV),
  };
}

const KEY = Symbol.for("tandem.config");
type G = typeof globalThis & { [KEY]?: Config };

/** The process-wide configuration, parsed on first use. */
export function config(): Config {
  const g = globalThis as G;
  return (g[KEY] ??= loadConfig());
}

/** Tests change the environment between cases; this forgets the cached parse. */
export function resetConfigForTests(): void {
  delete (globalThis as G)[KEY];
}
