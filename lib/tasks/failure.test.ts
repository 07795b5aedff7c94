import { describe, expect, it } from "vitest";
import type { Task } from "./enqueue";
import { failureReasonOf, willRetry } from "./lifecycle";

const task = (over: Partial<Task> = {}): Task =>
  ({ attempt: 1, maxAttempts: 2, issueId: "i", chatSessionId: null, autopilotRunId: null, ...over }) as Task;

describe("failure reasons and retries (reference §1.1, §2.3)", () => {
  it("keeps canonical and the daemons' operational reasons as sent, and classifies everything else", () => {
    expect(failureReasonOf("timeout", "whatever")).toBe("timeout");
    expect(failureReasonOf(" runtime_offline ", undefined)).toBe("runtime_offline");
    for (const r of ["codex_semantic_inactivity", "agent_fallback_message", "cancelled", "agent_error"]) expect(failureReasonOf(r, "some text")).toBe(r);
    expect(failureReasonOf(undefined, "API Error: 429 overloaded")).toBe("agent_error.provider_capacity_or_rate_limit");
    expect(failureReasonOf("made up", "")).toBe("agent_error.unknown");
    expect(failureReasonOf(undefined, undefined)).toBe("agent_error.unknown");
  });

  it("will_retry: retryable reason, attempts left, not a run-only autopilot task, something to report to", () => {
    expect(willRetry(task(), "timeout")).toBe(true);
    expect(willRetry(task(), "runtime_offline")).toBe(true);
    expect(willRetry(task(), failureReasonOf("codex_semantic_inactivity", undefined))).toBe(true);
    expect(willRetry(task(), failureReasonOf("agent_fallback_message", undefined))).toBe(false);
    expect(willRetry(task(), "agent_error.process_failure")).toBe(false);
    expect(willRetry(task({ attempt: 2 }), "timeout")).toBe(false);
    expect(willRetry(task({ issueId: null, autopilotRunId: "r" }), "timeout")).toBe(false);
    expect(willRetry(task({ issueId: null, chatSessionId: "c" }), "timeout")).toBe(true);
    expect(willRetry(task({ issueId: null }), "timeout")).toBe(false);
  });
});
