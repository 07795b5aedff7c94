import { afterEach, describe, expect, it } from "vitest";
import { resetConfigForTests } from "@/lib/config";
import { events } from "./events";
import { MemorySink, NoopSink, OutboxSink, getSink, setSinkForTests, stageEvent, toPostHogMessage } from "./sink";

const signup = (i = 0) => events.signup({ userId: `u${i}`, email: `Ada${i}@Example.com`, signupSource: '{"ref":"x"}', authMethod: "email_code" });

describe("envelope (TELEMETRY.md §2)", () => {
  it("stamps schema version, environment, is_demo, workspace_id and user_id; email only in $set_once", () => {
    const m = toPostHogMessage(signup(), "staging", Date.UTC(2026, 0, 2, 3, 4, 5), "6c1f6a36-5ad6-4b5e-9d39-1f0a3d9f0c11");
    expect(m).toMatchObject({ event: "signup", distinct_id: "u0", timestamp: "2026-01-02T03:04:05.000Z", uuid: "6c1f6a36-5ad6-4b5e-9d39-1f0a3d9f0c11" });
    expect(m.properties).toMatchObject({ event_schema_version: 2, environment: "staging", is_demo: false, user_id: "u0", email_domain: "example.com", signup_source: '{"ref":"x"}' });
    expect(m.properties.$set_once).toEqual({ email: "Ada0@Example.com", signup_source: '{"ref":"x"}' });
    const { $set_once: _, ...rest } = m.properties;
    expect(JSON.stringify(rest)).not.toContain("Ada0@");
  });

  it("does not fill user_id from a synthetic distinct id, and carries workspace_id", () => {
    const ev = events.runtimeOffline({ workspaceId: "w1", runtimeId: "r1", daemonId: "d1", provider: "claude", runtimeMode: "local" });
    const m = toPostHogMessage(ev, "dev");
    expect(m.distinct_id).toBe("workspace:w1");
    expect(m.properties.user_id).toBeUndefined();
    expect(m.properties.workspace_id).toBe("w1");
  });

  it("feedback never carries the message text", () => {
    const ev = events.feedbackSubmitted({ userId: "u", kind: "", message: "secret words ![a](http://x/y.png)", platform: "web", appVersion: "" });
    const m = toPostHogMessage(ev, "dev");
    expect(JSON.stringify(m)).not.toContain("secret words");
    expect(m.properties).toMatchObject({ kind: "general", has_images: true, message_length_bucket: "0-100", platform: "web", source: "ops_feedback" });
    expect(m.properties.app_version).toBeUndefined();
  });
});

describe("getSink", () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
    resetConfigForTests();
    setSinkForTests(undefined);
  });

  it("is a no-op sink without a key or when disabled, the outbox otherwise", async () => {
    delete process.env.POSTHOG_API_KEY;
    resetConfigForTests();
    setSinkForTests(undefined);
    expect(getSink()).toBeInstanceOf(NoopSink);

    process.env.POSTHOG_API_KEY = "phc_x";
    process.env.ANALYTICS_DISABLED = "1";
    resetConfigForTests();
    setSinkForTests(undefined);
    expect(getSink()).toBeInstanceOf(NoopSink);

    process.env.ANALYTICS_DISABLED = "false";
    resetConfigForTests();
    setSinkForTests(undefined);
    const s = getSink();
    expect(s).toBeInstanceOf(OutboxSink);
    await s.shutdown(10);
  });

  it("a MemorySink installed for tests receives the events", () => {
    const mem = new MemorySink();
    setSinkForTests(mem);
    getSink().committed([stageEvent(signup())]);
    expect(mem.named("signup")).toHaveLength(1);
    expect(mem.named("signup")[0]!.uuid).toMatch(/^[0-9a-f-]{36}$/);
  });
});
