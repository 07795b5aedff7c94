import { describe, expect, it } from "vitest";
import type { Task } from "./enqueue";
import { failureReasonOf, willRetry } from "./lifecycle";

const task = (over: Partial<Task> = {}): Task =>
  ({ attempt: 1, maxAttempts: 2, issueId: "i", chatSessionId: null, autopilotRunId: null, ...over }) as Task;

describe("failure reasons and retries (reference §1.1, §2.3)", () => {
  it("keeps canonical reasons and classifies everything else", () => {
    expect(failureReasonOf("timeout", "whatever")).toBe("timeout");
    expect(failureReasonOf(" runtime_offline ", undefined)).toBe("runtime_offline");
    expect(failureReasonOf(undefined, "API Error: 429 overloaded")).toBe("agent_error.provider_capacity_or_rate_limit");
    expect(failureReasonOf("agent_error", "")).toBe("agent_error.unknown");
    expect(failureReasonOf(undefined, undefined)).toBe("agent_error.unknown");
  });

  it("will_retry: retryable reason, attempts left, not a run-only autopilot task, something to report to", () => {
    expect(willRetry(task(), "timeout")).toBe(true);
    expect(willRetry(task(), "runtime_offline")).toBe(true);
    expect(willRetry(task(), "agent_error.process_failure")).toBe(false);
    expect(willRetry(task({ attempt: 2 }), "timeout")).toBe(false);
    expect(willRetry(task({ issueId: null, autopilotRunId: "r" }), "timeout")).toBe(false);
    expect(willRetry(task({ issueId: null, chatSessionId: "c" }), "timeout")).toBe(true);
    expect(willRetry(task({ issueId: null }), "timeout")).toBe(false);
  });
});
