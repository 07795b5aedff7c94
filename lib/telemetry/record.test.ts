import { beforeEach, describe, expect, it, vi } from "vitest";
import { SAMPLE_EVENTS, SAMPLE_RUNTIME_ARGS } from "@/tests/helpers/telemetry-samples";
import { EVENT_CATALOG, events, type EventBuilder } from "./events";
import { FAILURE_REASONS } from "./labels";
import { PREWARM_TASK_SOURCES, recordLLMUsage, registry, resetMetricsForTests } from "./metrics";
import { resetConfigForTests } from "@/lib/config";
import { recordEvent } from "./record";
import { MemorySink, setSinkForTests } from "./sink";
import { recordTaskEvent } from "./tasks";

async function counterTotal(): Promise<number> {
  let sum = 0;
  for (const m of await registry().getMetricsAsJSON()) {
    if (String(m.type) !== "counter" || !m.name.startsWith("tandem_") || m.name === "tandem_analytics_events_total") continue;
    for (const v of m.values) sum += v.value;
  }
  return sum;
}

async function value(name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = await registry().getSingleMetric(name)!.get();
  return m.values.find((v) => Object.entries(labels).every(([k, x]) => String(v.labels[k]) === x))?.value ?? 0;
}

const sink = new MemorySink();
beforeEach(() => {
  resetMetricsForTests();
  sink.clear();
  setSinkForTests(sink);
});

const builders = Object.keys(EVENT_CATALOG) as EventBuilder[];

describe("catalog", () => {
  it("describes exactly the builders, with matching names and capture flags", () => {
    expect(builders.sort()).toEqual(Object.keys(events).sort());
    for (const b of builders) {
      const ev = SAMPLE_EVENTS[b]();
      expect(ev.name, b).toBe(EVENT_CATALOG[b].name);
      expect(ev.capture, b).toBe(EVENT_CATALOG[b].capture);
      expect(Boolean(ev.task), b).toBe(Boolean(EVENT_CATALOG[b].task));
    }
  });
});

describe("pairing (TELEMETRY.md §1 rule 1)", () => {
  it.each(builders.filter((b) => !EVENT_CATALOG[b].task))("recordEvent(%s) moves a counter and captures per catalog", async (b) => {
    const before = await counterTotal();
    recordEvent(SAMPLE_EVENTS[b]());
    expect(await counterTotal()).toBeGreaterThan(before);
    expect(sink.events).toHaveLength(EVENT_CATALOG[b].capture ? 1 : 0);
  });

  it.each(builders.filter((b) => EVENT_CATALOG[b].task))("recordTaskEvent(%s) moves a counter through the typed recorders", async (b) => {
    const before = await counterTotal();
    recordTaskEvent(SAMPLE_EVENTS[b]());
    expect(await counterTotal()).toBeGreaterThan(before);
    expect(sink.events).toHaveLength(1);
  });

  it("a task event without a workspace is counted but not captured", async () => {
    recordTaskEvent(events.agentTaskQueued({ taskId: "t", analyticsSource: "chat", metrics: { source: "chat", runtimeMode: "cloud" } }));
    expect(sink.events).toHaveLength(0);
    expect(await value("tandem_agent_task_enqueued_total", { source: "chat", runtime_mode: "cloud" })).toBe(1);
  });

  it("recordTaskEvent refuses a non-task event", () => {
    expect(() => recordTaskEvent(events.login({ outcome: "success" }))).toThrow(/not a task event/);
  });
});

describe("paired labels", () => {
  it("signup: raw source in the event, channel in the label", async () => {
    recordEvent(SAMPLE_EVENTS.signup());
    expect(sink.messages[0].properties.signup_source).toBe('{"referrer_origin":"https://news.ycombinator.com"}');
    expect(await value("tandem_signup_total", { signup_source: "hacker_news" })).toBe(1);
  });

  it("login is metrics-only; unknown outcomes collapse", async () => {
    recordEvent(events.login({ outcome: "failure_locked" }));
    recordEvent(events.login({ outcome: "because" }));
    expect(sink.events).toHaveLength(0);
    expect(await value("tandem_business_logins_total", { outcome: "failure_locked" })).toBe(1);
    expect(await value("tandem_business_logins_total", { outcome: "failure_other" })).toBe(1);
  });

  it("contact sales label comes from form_source", async () => {
    recordEvent(events.contactSalesSubmitted({ inquiryId: "i", companySize: "", countryRegion: "", useCase: "", hasGoals: false, formSource: "agents_page" }));
    expect(await value("tandem_contact_sales_submitted_total", { source: "agents_page" })).toBe(1);
  });

  it("runtime_ready observes the ready duration; runtime_failed normalises the reason", async () => {
    recordEvent(SAMPLE_EVENTS.runtimeReady());
    recordEvent(SAMPLE_EVENTS.runtimeFailed());
    const h = await registry().getSingleMetric("tandem_runtime_ready_seconds")!.get();
    const sum = h.values.find((v) => (v as { metricName?: string }).metricName === "tandem_runtime_ready_seconds_sum");
    expect(sum?.value).toBeCloseTo(4.2);
    // ready at registration: no duration on the event (the reference's shape), but observed as 0 s
    recordEvent(events.runtimeReady({ ...SAMPLE_RUNTIME_ARGS, readyDurationMs: 0 }));
    const count = (await registry().getSingleMetric("tandem_runtime_ready_seconds")!.get()).values.find(
      (v) => (v as { metricName?: string }).metricName === "tandem_runtime_ready_seconds_count",
    );
    expect(count?.value).toBe(2);
    expect(sink.events.at(-1)!.properties).not.toHaveProperty("ready_duration_ms");
    expect(await value("tandem_runtime_failed_total", { failure_reason: "agent_error.unknown", recoverable: "true" })).toBe(1);
  });

  it("agent_task_failed classifies raw error text", async () => {
    recordTaskEvent(SAMPLE_EVENTS.agentTaskFailed());
    expect(await value("tandem_agent_task_failed_total", { source: "issue", runtime_mode: "local", failure_reason: "agent_error.provider_capacity_or_rate_limit" })).toBe(1);
    expect(await value("tandem_agent_task_terminal_total", { terminal_status: "failed" })).toBe(1);
  });
});

describe("registry", () => {
  it("pre-warms agent_task_failed_total with every source × mode × reason", async () => {
    const m = await registry().getSingleMetric("tandem_agent_task_failed_total")!.get();
    expect(m.values).toHaveLength(PREWARM_TASK_SOURCES.length * 3 * FAILURE_REASONS.length);
    expect(m.values).toHaveLength(378);
  });

  it("survives a module reload (dev hot reload) without re-registering", async () => {
    const first = registry();
    vi.resetModules();
    const again = await import("./metrics");
    expect(again.registry()).toBe(first);
    expect(() => again.families()).not.toThrow();
  });

  it("exposes build info and the default process metrics", async () => {
    const text = await registry().metrics();
    expect(text).toMatch(/tandem_build_info\{version="[^"]+",commit="[^"]+"\} 1/);
    expect(text).toContain("process_cpu_user_seconds_total");
  });

  it("LLM usage: priced cost, unpriced aliases bounded", async () => {
    recordLLMUsage({ source: "issue", runtimeMode: "local", provider: "claude", model: "Claude-Sonnet-4-5-20250929", tokens: { input: 1_000_000, output: 1_000_000 } });
    expect(await value("tandem_llm_cost_usd_total", { provider: "anthropic", model: "claude-sonnet-4.5", token_type: "output" })).toBeCloseTo(15);
    expect(await value("tandem_llm_tokens_total", { model: "claude-sonnet-4.5", token_type: "input" })).toBe(1_000_000);
    for (let i = 0; i < 500; i++) recordLLMUsage({ source: "x", runtimeMode: "y", provider: "z", model: `m-${i}`, tokens: { input: 1 } });
    const m = await registry().getSingleMetric("tandem_llm_unpriced_tokens_total")!.get();
    expect(new Set(m.values.map((v) => v.labels.model_alias))).toEqual(new Set(["other"]));
  });

  it("LLM usage: junk model names never crowd out a configured unpriced model (allow-list, not first-come)", async () => {
    process.env.LLM_MODEL_ALIASES = "Llama-4-Local, echo";
    resetConfigForTests();
    try {
      for (let i = 0; i < 500; i++) recordLLMUsage({ source: "x", runtimeMode: "y", provider: "z", model: `junk-${i}`, tokens: { input: 1 } });
      recordLLMUsage({ source: "x", runtimeMode: "local", provider: "ollama", model: "llama-4-local", tokens: { input: 7 } });
      const m = await registry().getSingleMetric("tandem_llm_unpriced_tokens_total")!.get();
      expect(new Set(m.values.map((v) => v.labels.model_alias))).toEqual(new Set(["other", "llama-4-local"]));
      expect(await value("tandem_llm_unpriced_tokens_total", { model_alias: "llama-4-local", token_type: "input" })).toBe(7);
      expect(await value("tandem_llm_unpriced_tokens_total", { model_alias: "other", token_type: "input" })).toBe(500);
    } finally {
      delete process.env.LLM_MODEL_ALIASES;
      resetConfigForTests();
    }
  });
});

describe("core properties", () => {
  it("come out in one order, whatever order a builder passes them in", () => {
    // chatMessageSent passes user, chat session, task, agent, source, runtime mode, provider.
    const keys = Object.keys(SAMPLE_EVENTS.chatMessageSent().properties);
    expect(keys.slice(0, 8)).toEqual(["is_demo", "user_id", "agent_id", "task_id", "chat_session_id", "source", "runtime_mode", "provider"]);
  });
});
