import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as L from "./labels";

const HOSTILE = [
  "x".repeat(100_000),
  "ＧＯＯＧＬＥ",
  "gïthub",
  "🦄",
  '{"a":1}',
  "[1,2]",
  "https://evil.example/?q=1",
  "\u0000\n\t",
  "github\n",
  "../../etc/passwd",
  "'; DROP TABLE users; --",
];

type Case = {
  name: string;
  fn: (v: unknown) => string;
  values: readonly string[];
  known: [string, string];
  unknown: string;
  fallback: string;
  empty: string;
};

const cases: Case[] = [
  { name: "normalizeTaskSource", fn: L.normalizeTaskSource, values: L.TASK_SOURCES, known: [" Chat ", "chat"], unknown: "onboarding", fallback: "other", empty: "other" },
  { name: "normalizeRuntimeMode", fn: L.normalizeRuntimeMode, values: L.RUNTIME_MODES, known: ["LOCAL", "local"], unknown: "hybrid", fallback: "unknown", empty: "unknown" },
  { name: "normalizeRuntimeProvider", fn: L.normalizeRuntimeProvider, values: L.RUNTIME_PROVIDERS, known: ["Claude", "claude"], unknown: "skynet", fallback: "other", empty: "other" },
  { name: "normalizeTerminalStatus", fn: L.normalizeTerminalStatus, values: L.TERMINAL_STATUSES, known: ["completed", "completed"], unknown: "exploded", fallback: "other", empty: "other" },
  { name: "normalizeTokenType", fn: L.normalizeTokenType, values: L.TOKEN_TYPES, known: ["cache_read", "cache_read"], unknown: "reasoning", fallback: "input", empty: "input" },
  { name: "normalizePlatform", fn: L.normalizePlatform, values: L.PLATFORMS, known: [" Desktop", "desktop"], unknown: "toaster", fallback: "unknown", empty: "unknown" },
  { name: "normalizeOnboardingPath", fn: L.normalizeOnboardingPath, values: L.ONBOARDING_PATHS, known: ["invite_accept", "invite_accept"], unknown: "teleport", fallback: "unknown", empty: "unknown" },
  { name: "normalizeAutopilotCadence", fn: L.normalizeAutopilotCadence, values: L.AUTOPILOT_CADENCES, known: ["Weekly", "weekly"], unknown: "schedule", fallback: "unknown", empty: "unknown" },
  { name: "normalizeAutopilotTrigger", fn: L.normalizeAutopilotTrigger, values: L.AUTOPILOT_TRIGGERS, known: ["webhook", "webhook"], unknown: "api", fallback: "unknown", empty: "unknown" },
  { name: "normalizeAutopilotSkipReason", fn: L.normalizeAutopilotSkipReason, values: L.AUTOPILOT_SKIP_REASONS, known: ["already_running", "already_running"], unknown: "bored", fallback: "other", empty: "other" },
  { name: "normalizeWebhookProvider", fn: L.normalizeWebhookProvider, values: L.WEBHOOK_PROVIDERS, known: ["GitHub", "github"], unknown: "bitbucket", fallback: "other", empty: "other" },
  { name: "normalizeWebhookDeliveryStatus", fn: L.normalizeWebhookDeliveryStatus, values: L.WEBHOOK_DELIVERY_STATUSES, known: ["duplicate", "duplicate"], unknown: "lost", fallback: "other", empty: "other" },
  { name: "normalizeGithubEventKind", fn: L.normalizeGithubEventKind, values: L.GITHUB_EVENT_KINDS, known: ["pull_request", "pull_request"], unknown: "deploy_status", fallback: "other", empty: "other" },
  { name: "normalizeGithubAction", fn: L.normalizeGithubAction, values: L.GITHUB_ACTIONS, known: ["opened", "opened"], unknown: "rerequested_by_user", fallback: "other", empty: "none" },
  { name: "normalizeGithubPRReviewResult", fn: L.normalizeGithubPRReviewResult, values: L.GITHUB_PR_REVIEW_RESULTS, known: ["approved", "approved"], unknown: "skipped", fallback: "other", empty: "other" },
  { name: "normalizeCloudRuntimeOp", fn: L.normalizeCloudRuntimeOp, values: L.CLOUDRUNTIME_OPS, known: ["billing", "billing"], unknown: "reboot", fallback: "other", empty: "other" },
  { name: "normalizeCloudRuntimeStatus", fn: L.normalizeCloudRuntimeStatus, values: L.CLOUDRUNTIME_STATUSES, known: ["503", "5xx"], unknown: "301", fallback: "error", empty: "error" },
  { name: "normalizeDaemonMessageKind", fn: L.normalizeDaemonMessageKind, values: L.DAEMON_MESSAGE_KINDS, known: ["daemon:heartbeat", "heartbeat"], unknown: "future_event", fallback: "other", empty: "other" },
  { name: "normalizeFeedbackKind", fn: L.normalizeFeedbackKind, values: L.FEEDBACK_KINDS, known: ["Bug", "bug"], unknown: "rant", fallback: "other", empty: "other" },
  { name: "normalizeContactSalesSource", fn: L.normalizeContactSalesSource, values: L.CONTACT_SALES_SOURCES, known: ["agents_page", "agents_page"], unknown: "homepage_modal", fallback: "other", empty: "other" },
  { name: "normalizeLoginOutcome", fn: L.normalizeLoginOutcome, values: L.LOGIN_OUTCOMES, known: ["failure_locked", "failure_locked"], unknown: "failure_cosmic_ray", fallback: "failure_other", empty: "failure_other" },
  { name: "normalizeOrderStatus", fn: L.normalizeOrderStatus, values: L.ORDER_STATUSES, known: ["Refunded", "refunded"], unknown: "pending", fallback: "other", empty: "other" },
  { name: "normalizeCurrency", fn: (v) => L.normalizeCurrency(v), values: [...L.DEFAULT_CURRENCIES, "other"], known: ["EUR", "eur"], unknown: "jpy", fallback: "other", empty: "other" },
  { name: "normalizeSignupSource", fn: L.normalizeSignupSource, values: L.SIGNUP_SOURCES, known: ["https://www.google.com/search?q=x", "google"], unknown: "myspace.com", fallback: "other", empty: "direct" },
  { name: "normalizeFailureReason", fn: L.normalizeFailureReason, values: L.FAILURE_REASONS, known: [" timeout ", "timeout"], unknown: "registration_failed", fallback: "agent_error.unknown", empty: "agent_error.unknown" },
];

describe.each(cases)("$name", ({ fn, values, known, unknown, fallback, empty }) => {
  it("keeps a known value (trimmed, lower-cased)", () => expect(fn(known[0])).toBe(known[1]));
  it("collapses an unknown value to the fallback", () => expect(fn(unknown)).toBe(fallback));
  it("maps empty, blank and non-strings", () => {
    expect(fn("")).toBe(empty);
    expect(fn("   ")).toBe(empty);
    expect(fn(undefined)).toBe(empty);
  });
  it("never leaves the allow-list on hostile input", () => {
    for (const h of HOSTILE) expect(values).toContain(fn(h));
    expect(values).toContain(fn(42));
    expect(values).toContain(fn({ toString: () => "github" }));
  });
});

describe("normalizeSignupSource", () => {
  it.each([
    ['{"referrer_origin":"https://news.ycombinator.com"}', "hacker_news"],
    ['{"utm_source":"twitter","referrer_origin":"https://news.ycombinator.com"}', "twitter"],
    ['{"source":"newsletter"}', "email"],
    ['{"referrer":"https://old.reddit.com/r/x"}', "reddit"],
    ['{"ref":"producthunt"}', "product_hunt"],
    ['{"utm_source":"  ","ref":"devto"}', "dev_to"],
    ['{"utm_source":5,"referrer_origin":"https://t.co/abc"}', "twitter"],
    ['{"utm_medium":"cpc"}', "other"],
    ["{not json", "other"],
    ['["github"]', "other"],
    ["//lnkd.in/xyz", "linkedin"],
    ["http://youtu.be#t=1", "youtube"],
    ["CPC", "paid"],
    ["x", "twitter"],
    ["hackernews", "hacker_news"],
    ["constructor", "other"],
    ["__proto__", "other"],
  ])("%s → %s", (raw, label) => expect(L.normalizeSignupSource(raw)).toBe(label));
});

describe("classifyFailure", () => {
  it.each([
    ["API Error: 429 overloaded", "agent_error.provider_capacity_or_rate_limit"],
    ["This model's maximum context length is 200000 tokens", "agent_error.context_overflow"],
    ["Missing environment variable OPENAI_API_KEY", "agent_error.missing_config"],
    ["HTTP 401 Unauthorized", "agent_error.provider_auth_or_access"],
    ["You\u2019ve hit your limit", "agent_error.provider_quota_limit"],
    ["upstream returned 502", "agent_error.provider_server_error"],
    ["dial tcp 1.2.3.4:443: connection refused", "agent_error.provider_network"],
    ["model claude-9 not found", "agent_error.model_not_found_or_unavailable"],
    ["agent returned empty output", "agent_error.empty_or_unparseable_output"],
    ["timed out after 300s", "agent_error.agent_timeout"],
    ["claude: executable not found in $PATH", "agent_error.runtime_missing_executable"],
    ["CLI requires a newer version", "agent_error.runtime_version_unsupported"],
    ["exit status 137", "agent_error.process_failure"],
    ["something odd", "agent_error.unknown"],
    ["", "agent_error.unknown"],
    ["port 15000 busy", "agent_error.unknown"],
    // Status codes count only as whole numbers (issue 16 item 7).
    ["prompt used 402913 tokens", "agent_error.unknown"],
    ["took 15290ms", "agent_error.unknown"],
    ["error code 4030", "agent_error.unknown"],
    ["request id 14011", "agent_error.unknown"],
    ["http 4041 pages", "agent_error.unknown"],
    ["error 402: payment required", "agent_error.provider_quota_limit"],
    ["status=403", "agent_error.provider_auth_or_access"],
    ["(529)", "agent_error.provider_capacity_or_rate_limit"],
    ["HTTP 404", "agent_error.model_not_found_or_unavailable"],
  ])("%s → %s", (raw, reason) => expect(L.classifyFailure(raw)).toBe(reason));

  it("has 21 canonical reasons; legacy strings classify as unknown", () => {
    expect(L.FAILURE_REASONS).toHaveLength(21);
    for (const legacy of ["agent_error", "cancelled", "agent_fallback_message", "codex_semantic_inactivity", "registration_failed"])
      expect(L.normalizeFailureReason(legacy)).toBe("agent_error.unknown");
    expect(L.normalizeFailureReason("Timeout")).toBe("agent_error.unknown");
  });
});

describe("other helpers", () => {
  it("model alias is sanitised and bounded", () => {
    expect(L.normalizeModelAlias(" GPT 4 (preview) ")).toBe("gpt_4_preview_");
    expect(L.normalizeModelAlias("")).toBe("unknown");
    expect(L.normalizeModelAlias("a".repeat(1000))).toHaveLength(128);
  });
  it("message length buckets count bytes", () => {
    expect(L.messageLengthBucket("")).toBe("0-100");
    expect(L.messageLengthBucket("é".repeat(50))).toBe("100-500");
    expect(L.messageLengthBucket("x".repeat(1999))).toBe("500-2000");
    expect(L.messageLengthBucket("x".repeat(2000))).toBe("2000+");
    expect(L.messageLengthBucket("😀".repeat(25))).toBe("100-500"); // 50 UTF-16 units, 100 bytes
    expect(L.messageLengthBucket("€".repeat(33) + "x")).toBe("100-500"); // 34 units, 100 bytes
    expect(L.messageLengthBucket("€".repeat(33))).toBe("0-100");
  });
  it("message length buckets agree with the byte count on random text of every width", () => {
    const bucket = (n: number) => (n < 100 ? "0-100" : n < 500 ? "100-500" : n < 2000 ? "500-2000" : "2000+");
    const text = fc.string({ unit: fc.constantFrom("x", "é", "€", "😀"), maxLength: 2100 });
    fc.assert(fc.property(text, (s) => L.messageLengthBucket(s) === bucket(Buffer.byteLength(s, "utf8"))), { numRuns: 3000 });
  });
  it("detects markdown images", () => {
    expect(L.hasMarkdownImage("see ![shot](https://x/y.png)")).toBe(true);
    expect(L.hasMarkdownImage("[link](https://x)")).toBe(false);
    expect(L.hasMarkdownImage("![a](b")).toBe(false);
    expect(L.hasMarkdownImage("![a]( b)")).toBe(false);
    expect(L.hasMarkdownImage("![a] (b)")).toBe(false);
    expect(L.hasMarkdownImage("![x]y(b)")).toBe(false);
    expect(L.hasMarkdownImage("![x] ![](b)")).toBe(true);
  });
  it("markdown image detection agrees with the (slow) regex it replaced, on short random text", () => {
    const slow = /!\[[^\]]*\]\([^)\s]+[^)]*\)/;
    const text = fc.string({ unit: fc.constantFrom("!", "[", "]", "(", ")", " ", "\n", "\t", "\u00a0", "\u2028", "\u3000", "\ufeff", "a"), maxLength: 24 });
    fc.assert(fc.property(text, (s) => L.hasMarkdownImage(s) === slow.test(s)), { numRuns: 5000 });
  });
  it("markdown image detection is linear: 100 KB of adversarial text in well under a second", () => {
    for (const unit of ["![](a", "![", "![]((", "![](a ", "![x]("]) {
      const s = unit.repeat(Math.ceil(100_000 / unit.length));
      const started = performance.now();
      L.hasMarkdownImage(s);
      expect(performance.now() - started).toBeLessThan(200);
    }
  });
  it("email domain is the lower-cased part after the last @", () => {
    expect(L.emailDomain("A@B@Example.COM ")).toBe("example.com");
    expect(L.emailDomain("nobody")).toBe("");
  });
  it("HTTP method and status stay bounded", () => {
    expect(L.normalizeHttpMethod("get")).toBe("GET");
    expect(L.normalizeHttpMethod("BREW")).toBe("OTHER");
    expect(L.normalizeHttpStatus(201)).toBe("201");
    expect(L.normalizeHttpStatus(999)).toBe("0");
  });
  it("cloud runtime status for codes", () => {
    expect([200, 302, 404, 503, 0].map(L.cloudRuntimeStatusForCode)).toEqual(["ok", "ok", "4xx", "5xx", "error"]);
  });
});
