/**
 * Label normalisers (TELEMETRY.md §5, reference §4): trim, lower-case, exact allow-list lookup, fallback.
 * Every Prometheus label value passes through one of these, so each family has a fixed upper bound of series
 * whatever requests arrive. The PostHog event keeps the raw value where the catalog says so.
 */

/** Coerces anything (header, JSON property, undefined) into a trimmed lower-case string, cheaply bounded. */
function clean(v: unknown): string {
  if (typeof v !== "string") return "";
  // Allow-list entries are short; a long input can only fall back, so avoid lower-casing megabytes.
  return (v.length > 256 ? v.slice(0, 256) : v).trim().toLowerCase();
}

function allowList<const T extends string>(values: readonly T[], fallback: T) {
  const set = new Set<string>(values);
  const fn = (v: unknown): T => {
    const s = clean(v);
    return (set.has(s) ? s : fallback) as T;
  };
  return Object.assign(fn, { values, fallback });
}

export const TASK_SOURCES = ["issue", "chat", "autopilot", "autopilot_issue", "quick_create", "manual", "api", "other"] as const;
export const normalizeTaskSource = allowList(TASK_SOURCES, "other");

export const RUNTIME_MODES = ["local", "cloud", "unknown"] as const;
export const normalizeRuntimeMode = allowList(RUNTIME_MODES, "unknown");

export const RUNTIME_PROVIDERS = [
  "antigravity", "claude", "codex", "copilot", "cursor", "gemini", "hermes", "kiro", "kimi", "multica_agent",
  "openclaw", "opencode", "pi", "other",
] as const;
export const normalizeRuntimeProvider = allowList(RUNTIME_PROVIDERS, "other");

export const TERMINAL_STATUSES = ["completed", "failed", "cancelled", "blocked", "other"] as const;
export const normalizeTerminalStatus = allowList(TERMINAL_STATUSES, "other");

export const TOKEN_TYPES = ["input", "output", "cache_read", "cache_write"] as const;
export const normalizeTokenType = allowList(TOKEN_TYPES, "input");

export const PLATFORMS = ["server", "web", "desktop", "cli", "mobile", "ios", "unknown"] as const;
export const normalizePlatform = allowList(PLATFORMS, "unknown");

export const ONBOARDING_PATHS = ["full", "runtime_skipped", "cloud_waitlist", "skip_existing", "invite_accept", "unknown"] as const;
export const normalizeOnboardingPath = allowList(ONBOARDING_PATHS, "unknown");

export const AUTOPILOT_CADENCES = ["hourly", "daily", "weekly", "monthly", "manual", "webhook", "unknown"] as const;
export const normalizeAutopilotCadence = allowList(AUTOPILOT_CADENCES, "unknown");

export const AUTOPILOT_TRIGGERS = ["schedule", "webhook", "manual", "unknown"] as const;
export const normalizeAutopilotTrigger = allowList(AUTOPILOT_TRIGGERS, "unknown");

export const AUTOPILOT_SKIP_REASONS = [
  "already_running", "recent_run", "runtime_offline", "throttled", "max_concurrency", "trigger_disabled",
  "signature_invalid", "unknown", "other",
] as const;
export const normalizeAutopilotSkipReason = allowList(AUTOPILOT_SKIP_REASONS, "other");

export const WEBHOOK_PROVIDERS = ["github", "generic", "gitlab", "stripe", "other"] as const;
export const normalizeWebhookProvider = allowList(WEBHOOK_PROVIDERS, "other");

export const WEBHOOK_DELIVERY_STATUSES = ["queued", "dispatched", "failed", "rejected", "ignored", "duplicate", "other"] as const;
export const normalizeWebhookDeliveryStatus = allowList(WEBHOOK_DELIVERY_STATUSES, "other");

export const GITHUB_EVENT_KINDS = [
  "pull_request", "pull_request_review", "issues", "issue_comment", "push", "installation",
  "installation_repositories", "check_run", "check_suite", "ping", "other",
] as const;
export const normalizeGithubEventKind = allowList(GITHUB_EVENT_KINDS, "other");

export const GITHUB_ACTIONS = [
  "opened", "closed", "reopened", "merged", "synchronize", "edited", "submitted", "created", "deleted", "labeled",
  "unlabeled", "assigned", "unassigned", "requested", "completed", "none", "other",
] as const;
const githubActionList = allowList(GITHUB_ACTIONS, "other");
/** Empty → `none` (events without an action), unknown → `other`. */
export function normalizeGithubAction(v: unknown): (typeof GITHUB_ACTIONS)[number] {
  return clean(v) === "" ? "none" : githubActionList(v);
}

export const GITHUB_PR_REVIEW_RESULTS = ["approved", "changes_requested", "commented", "dismissed", "other"] as const;
export const normalizeGithubPRReviewResult = allowList(GITHUB_PR_REVIEW_RESULTS, "other");

export const CLOUDRUNTIME_OPS = ["provision", "terminate", "status", "gateway", "billing", "fleet", "other"] as const;
export const normalizeCloudRuntimeOp = allowList(CLOUDRUNTIME_OPS, "other");

export const CLOUDRUNTIME_STATUSES = ["ok", "4xx", "5xx", "timeout", "error"] as const;
/** Allow-listed values pass; a 3-character code starting with 2/4/5 maps to ok/4xx/5xx; anything else → error. */
export function normalizeCloudRuntimeStatus(v: unknown): (typeof CLOUDRUNTIME_STATUSES)[number] {
  const s = clean(v);
  if ((CLOUDRUNTIME_STATUSES as readonly string[]).includes(s)) return s as (typeof CLOUDRUNTIME_STATUSES)[number];
  if (/^[0-9]{3}$/.test(s)) {
    if (s[0] === "2") return "ok";
    if (s[0] === "4") return "4xx";
    if (s[0] === "5") return "5xx";
  }
  return "error";
}

export function cloudRuntimeStatusForCode(code: number): (typeof CLOUDRUNTIME_STATUSES)[number] {
  if (code >= 200 && code <= 399) return "ok";
  if (code >= 400 && code <= 499) return "4xx";
  if (code >= 500 && code <= 599) return "5xx";
  return "error";
}

// The reference's list (TELEMETRY.md §5). Our daemon's other calls (register, deregister, task_start, task_fail,
// request_result) pass their own names and are counted as `other`, as the reference counts what it does not list.
export const DAEMON_MESSAGE_KINDS = ["heartbeat", "task_claim", "task_complete", "task_usage", "task_progress", "task_messages", "log", "other"] as const;
const daemonKindList = allowList(DAEMON_MESSAGE_KINDS, "other");
/** Accepts the raw message type; a `daemon:` prefix is stripped first. */
export function normalizeDaemonMessageKind(v: unknown): (typeof DAEMON_MESSAGE_KINDS)[number] {
  const s = clean(v);
  return daemonKindList(s.startsWith("daemon:") ? s.slice("daemon:".length) : s);
}

export const FEEDBACK_KINDS = ["bug", "feature", "general", "praise", "other"] as const;
export const normalizeFeedbackKind = allowList(FEEDBACK_KINDS, "other");

export const CONTACT_SALES_SOURCES = ["page", "onboarding", "agents_page", "unknown", "other"] as const;
export const normalizeContactSalesSource = allowList(CONTACT_SALES_SOURCES, "other");

export const LOGIN_OUTCOMES = ["success", "failure_credentials", "failure_locked", "failure_signup_closed", "failure_other"] as const;
export const normalizeLoginOutcome = allowList(LOGIN_OUTCOMES, "failure_other");
export type LoginOutcome = (typeof LOGIN_OUTCOMES)[number];

export const ORDER_STATUSES = ["created", "completed", "refunded", "failed", "other"] as const;
export const normalizeOrderStatus = allowList(ORDER_STATUSES, "other");

export const DEFAULT_CURRENCIES = ["usd", "eur", "gbp"] as const;
/** ISO-4217 codes configured for the revenue counter (default usd, eur, gbp); anything else → `other`. */
export function normalizeCurrency(v: unknown, allowed: readonly string[] = DEFAULT_CURRENCIES): string {
  const s = clean(v);
  return /^[a-z]{3}$/.test(s) && allowed.includes(s) ? s : "other";
}

export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;
export function normalizeHttpMethod(v: unknown): string {
  const s = clean(v).toUpperCase();
  return (HTTP_METHODS as readonly string[]).includes(s) ? s : "OTHER";
}

/** Status codes are bounded by construction (100–599); anything else is recorded as "0". */
export function normalizeHttpStatus(status: number): string {
  return Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : "0";
}

/** Lower-case, runs of characters outside [a-z0-9._:/+-] → "_", at most 128 characters; empty → unknown. */
export function normalizeModelAlias(v: unknown): string {
  const s = clean(v);
  if (s === "") return "unknown";
  return s.replace(/[^a-z0-9._:/+-]+/g, "_").slice(0, 128);
}

/**
 * `model_alias` of unpriced usage: the normalised name when it is on the allow-list, else "other". The list is the
 * pricing table's models plus LLM_MODEL_ALIASES; a per-process "first N names" cap let junk names crowd out real ones
 * until restart (issue 11, item 8).
 */
export function unpricedModelAlias(model: unknown, allowed: ReadonlySet<string>): string {
  const alias = normalizeModelAlias(model);
  return alias === "unknown" || allowed.has(alias) ? alias : "other";
}

export function boolLabel(v: unknown): "true" | "false" {
  return v === true ? "true" : "false";
}

// ---------------------------------------------------------------------------------------------------------------
// Failure reasons (reference §2.3)

export const PLATFORM_FAILURE_REASONS = [
  "queued_expired", "runtime_offline", "runtime_recovery", "timeout", "iteration_limit", "agent_blocked",
  "api_invalid_request",
] as const;
export const AGENT_FAILURE_REASONS = [
  "agent_error.provider_auth_or_access", "agent_error.provider_quota_limit",
  "agent_error.provider_capacity_or_rate_limit", "agent_error.provider_server_error", "agent_error.provider_network",
  "agent_error.process_failure", "agent_error.empty_or_unparseable_output", "agent_error.agent_timeout",
  "agent_error.context_overflow", "agent_error.missing_config", "agent_error.model_not_found_or_unavailable",
  "agent_error.runtime_version_unsupported", "agent_error.runtime_missing_executable", "agent_error.unknown",
] as const;
/** The 21 canonical failure reasons in their stable order (used to pre-warm `agent_task_failed_total`). */
export const FAILURE_REASONS = [...PLATFORM_FAILURE_REASONS, ...AGENT_FAILURE_REASONS] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];
export type AgentFailureReason = (typeof AGENT_FAILURE_REASONS)[number];

const FAILURE_REASON_SET = new Set<string>(FAILURE_REASONS);

export function isAgentError(reason: string): boolean {
  return reason.startsWith("agent_error.");
}

const has = (s: string, ...needles: string[]) => needles.some((n) => s.includes(n));
/** An HTTP status code as a whole number: "402" in "error 402:" but not in "402913 tokens" or "14020ms". */
const hasCode = (s: string, ...codes: string[]) =>
  codes.some((code) => {
    for (let i = s.indexOf(code); i !== -1; i = s.indexOf(code, i + 1)) {
      const before = s.charCodeAt(i - 1), after = s.charCodeAt(i + code.length);
      if (!(before >= 48 && before <= 57) && !(after >= 48 && after <= 57)) return true;
    }
    return false;
  });

/** Classifies raw error text into an `agent_error.*` reason; the first matching rule wins (reference §2.3). */
export function classifyFailure(raw: unknown): AgentFailureReason {
  // Classification only needs the head of the message; bounding it keeps hostile input cheap.
  const s = typeof raw === "string" ? raw.slice(0, 4096).toLowerCase().trim() : "";
  if (s === "") return "agent_error.unknown";
  if (
    has(s, "context length", "context_length_exceeded", "maximum context", "prompt is too long", "context size has been exceeded") ||
    (s.includes("token") && s.includes("limit"))
  )
    return "agent_error.context_overflow";
  if (
    s.includes("missing environment variable") ||
    (s.includes("missing") && s.includes("api_key")) ||
    (s.includes("api key") && s.includes("required")) ||
    has(s, "no llm provider configured", "no provider configured")
  )
    return "agent_error.missing_config";
  if (
    hasCode(s, "401", "403") ||
    has(s, "unauthorized", "login required", "not logged in", "please login again", "refresh token",
      "invalid api key", "access token", "subscription access", "does not have access", "you may not have access")
  )
    return "agent_error.provider_auth_or_access";
  if (
    hasCode(s, "402") ||
    has(s, "insufficient_balance", "balance is too low", "monthly usage limit", "usage limit",
      "you've hit your limit", "you\u2019ve hit your limit", "credits", "quota")
  )
    return "agent_error.provider_quota_limit";
  if (hasCode(s, "429", "529") || has(s, "rate limit", "overloaded", "no capacity available"))
    return "agent_error.provider_capacity_or_rate_limit";
  if (
    has(s, "server had an error", "provider returned error", "internal error", "service unavailable", "bad gateway") ||
    /(^|[^0-9])5[0-9][0-9]([^0-9]|$)/.test(s)
  )
    return "agent_error.provider_server_error";
  if (
    has(s, "stream disconnected", "error sending request", "unable to connect", "dial tcp", "connection refused",
      "connectionrefused", "dns", "i/o timeout")
  )
    return "agent_error.provider_network";
  if (
    (s.includes("model") && s.includes("not found")) ||
    has(s, "unknown model", "selected model", "404 page not found") || (s.includes("http 404") && hasCode(s, "404"))
  )
    return "agent_error.model_not_found_or_unavailable";
  if (has(s, "returned empty output", "returned no parseable output")) return "agent_error.empty_or_unparseable_output";
  if (s.includes("timed out after")) return "agent_error.agent_timeout";
  if (s.includes("executable not found")) return "agent_error.runtime_missing_executable";
  if (has(s, "below the minimum supported version", "requires a newer version"))
    return "agent_error.runtime_version_unsupported";
  if (
    has(s, "exit status", "signal", "panic", "sigsegv", "process exited", "pipe has been ended", "file already closed",
      "initialize failed")
  )
    return "agent_error.process_failure";
  return "agent_error.unknown";
}

/** A canonical reason (case-sensitive after trim) passes unchanged; anything else is classified. */
export function normalizeFailureReason(v: unknown): FailureReason {
  const s = typeof v === "string" ? v.trim() : "";
  return FAILURE_REASON_SET.has(s) ? (s as FailureReason) : classifyFailure(s);
}

// ---------------------------------------------------------------------------------------------------------------
// Signup source (reference §4.1 with TELEMETRY.md §5's key order)

export const SIGNUP_SOURCES = [
  "direct", "google", "bing", "duckduckgo", "twitter", "linkedin", "facebook", "instagram", "github", "gitlab",
  "hacker_news", "reddit", "youtube", "discord", "slack", "product_hunt", "medium", "dev_to", "email", "paid",
  "organic", "referral", "partner", "affiliate", "other",
] as const;
export type SignupSource = (typeof SIGNUP_SOURCES)[number];

const SIGNUP_SOURCE_KEYS = ["utm_source", "source", "referrer_origin", "referrer", "ref"] as const;

const HOST_CHANNELS: Record<string, string> = {
  "google.com": "google", "google.co.uk": "google", "bing.com": "bing", "duckduckgo.com": "duckduckgo",
  "twitter.com": "twitter", "x.com": "twitter", "t.co": "twitter", "linkedin.com": "linkedin", "lnkd.in": "linkedin",
  "facebook.com": "facebook", "fb.com": "facebook", "instagram.com": "instagram", "github.com": "github",
  "gitlab.com": "gitlab", "news.ycombinator.com": "hacker_news", "reddit.com": "reddit", "old.reddit.com": "reddit",
  "youtube.com": "youtube", "youtu.be": "youtube", "discord.com": "discord", "discord.gg": "discord",
  "slack.com": "slack", "producthunt.com": "product_hunt", "medium.com": "medium", "dev.to": "dev_to",
};

const CHANNEL_ALIASES: Record<string, SignupSource> = {
  twitter: "twitter", x: "twitter", hacker_news: "hacker_news", hackernews: "hacker_news",
  product_hunt: "product_hunt", producthunt: "product_hunt", dev_to: "dev_to", devto: "dev_to",
  email: "email", newsletter: "email", ad: "paid", ads: "paid", paid: "paid", cpc: "paid", sem: "paid",
};
for (const c of ["direct", "google", "bing", "duckduckgo", "linkedin", "facebook", "instagram", "github", "gitlab",
  "reddit", "youtube", "discord", "slack", "medium", "organic", "referral", "partner", "affiliate", "other"] as const)
  CHANNEL_ALIASES[c] = c;

/** The cookie value is at most 512 bytes when read; anything longer than this cannot be a real source. */
const SIGNUP_SOURCE_MAX = 2048;

/**
 * Raw signup-source cookie value (a channel, a URL or a JSON object) → channel label.
 * JSON: the first non-blank string among utm_source, source, referrer_origin, referrer, ref.
 */
export function normalizeSignupSource(raw: unknown): SignupSource {
  let v = typeof raw === "string" ? raw.trim() : "";
  if (v === "") return "direct";
  if (v.length > SIGNUP_SOURCE_MAX) return "other";
  if (v.startsWith("{")) {
    try {
      const obj: unknown = JSON.parse(v);
      if (obj && typeof obj === "object" && !Array.isArray(obj)) {
        for (const key of SIGNUP_SOURCE_KEYS) {
          const candidate = (obj as Record<string, unknown>)[key];
          if (typeof candidate === "string" && candidate.trim() !== "") {
            v = candidate;
            break;
          }
        }
      }
    } catch {
      // Not JSON after all: canonicalise the raw string.
    }
  }
  let s = v.trim().toLowerCase();
  for (const prefix of ["https://", "http://", "//"]) {
    if (s.startsWith(prefix)) {
      s = s.slice(prefix.length);
      break;
    }
  }
  const cut = s.search(/[/?#]/);
  if (cut >= 0) s = s.slice(0, cut);
  if (s.startsWith("www.")) s = s.slice(4);
  s = HOST_CHANNELS[s] ?? s;
  return Object.hasOwn(CHANNEL_ALIASES, s) ? CHANNEL_ALIASES[s] : "other";
}

// ---------------------------------------------------------------------------------------------------------------
// Event property helpers (not labels, but bounded by the same rules)

type LengthBucket = "0-100" | "100-500" | "500-2000" | "2000+";
const lengthBucket = (n: number): LengthBucket => (n < 100 ? "0-100" : n < 500 ? "100-500" : n < 2000 ? "500-2000" : "2000+");

/**
 * Byte length of a free-text message → bucket; the text itself is never sent. UTF-8 takes 1 to 3 bytes per UTF-16
 * unit (a surrogate pair: 4 for 2), so the length alone decides unless those bounds straddle a boundary; only then
 * are the bytes counted (issue 15: the count was about a quarter of the builder's time).
 */
export function messageLengthBucket(message: string): LengthBucket {
  const fewest = lengthBucket(message.length);
  return fewest === lengthBucket(3 * message.length) ? fewest : lengthBucket(Buffer.byteLength(message, "utf8"));
}

/**
 * A markdown image `![alt](url)` anywhere in the text: `![`, alt text up to the first `]`, then `(`, a URL starting
 * with a non-space, and a closing `)`. A single forward scan, linear in the message length: the regex it replaces
 * (`/!\[[^\]]*\]\([^)\s]+[^)]*\)/`) backtracked polynomially, so `"![](a".repeat(2000)` blocked the event loop
 * (issue 11). Feedback text is request data.
 */
export function hasMarkdownImage(message: string): boolean {
  let close = -1; // the first "]" at or after the current "![" (monotonic, so the whole scan is O(n))
  for (let i = message.indexOf("!["); i >= 0; i = message.indexOf("![", i + 1)) {
    if (close < i + 2) close = message.indexOf("]", i + 2);
    if (close < 0) return false; // no "]" after this "![", so none after any later one either
    if (message.charCodeAt(close + 1) !== 0x28 /* ( */) continue;
    const first = message.charCodeAt(close + 2);
    if (Number.isNaN(first) || first === 0x29 /* ) */ || isWhiteSpace(first)) continue;
    // A ")" after the URL's first character closes it; none there means none after any later "![" (whose "]" is
    // here or further on) either. `indexOf`, not `lastIndexOf`: V8 has no fast path for the latter (~60 ns here).
    return message.indexOf(")", close + 3) >= 0;
  }
  return false;
}

/** What `\s` matches: ASCII white space by code, the rest through `trim` (which removes exactly that set). */
const isWhiteSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0xa0 && String.fromCharCode(c).trim() === "");

/** Lower-cased text after the last `@`; "" when there is none. Never the whole address. */
export function emailDomain(email: string): string {
  const at = email.lastIndexOf("@");
  return at < 0 ? "" : email.slice(at + 1).trim().toLowerCase();
}

/** Reference `taskErrorType`. */
export function taskErrorType(reason: string): "runtime" | "timeout" | "agent_output" | "cancelled" | "agent_error" {
  switch (reason) {
    case "runtime_offline":
    case "runtime_recovery":
      return "runtime";
    case "timeout":
    case "codex_semantic_inactivity":
      return "timeout";
    case "iteration_limit":
    case "agent_fallback_message":
      return "agent_output";
    case "cancelled":
    case "user_cancelled":
      return "cancelled";
    default:
      return "agent_error";
  }
}

/** Reference `autopilotErrorType`, first match wins. */
export function autopilotErrorType(reason: string): string {
  const s = reason.toLowerCase();
  if (s.includes("unknown execution_mode")) return "configuration";
  if (s.startsWith("issue ")) return "issue_terminal";
  if (has(s, "create issue", "enqueue task", "dispatch")) return "dispatch_error";
  if (s.startsWith("task ")) return "task_error";
  return "autopilot_error";
}
