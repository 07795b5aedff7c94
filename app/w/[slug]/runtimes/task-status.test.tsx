// @vitest-environment happy-dom
import { act } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TaskStatus } from "@/components/tasks/TaskStatus";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const task = (status: string, over: Record<string, unknown> = {}) => ({
  id: "t1", status, attempt: 1, failure_reason: null, error: null, result: null,
  created_at: "2026-01-01T00:00:00Z", started_at: null, completed_at: null, ...over,
});

describe("TaskStatus", () => {
  let root: Root;
  let container: HTMLElement;
  let responses: unknown[];
  const fetchMock = vi.fn(async (url: string, init: RequestInit) => {
    void url;
    void init;
    const body = responses.length > 1 ? responses.shift() : responses[0];
    return new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } });
  });

  beforeEach(() => {
    vi.useFakeTimers();
    vi.stubGlobal("fetch", fetchMock);
    fetchMock.mockClear();
    container = document.createElement("div");
    root = createRoot(container);
  });
  afterEach(() => {
    act(() => root.unmount());
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  async function flush(ms = 0) {
    await act(async () => {
      await vi.advanceTimersByTimeAsync(ms);
    });
  }

  it("polls while the task is live, then shows the answer and stops", async () => {
    responses = [
      { tasks: [task("queued")], messages: [] },
      { tasks: [task("running")], messages: [{ id: "m1", kind: "progress", content: "reading the code", created_at: "" }] },
      { tasks: [task("completed", { result: { output: "fixed it" } })], messages: [{ id: "m1", kind: "progress", content: "reading the code", created_at: "" }] },
    ];
    act(() => root.render(<TaskStatus workspaceId="w1" issueId="i1" pollMs={1000} />));
    await flush();
    expect(container.textContent).toContain("Queued — waiting for a runtime");
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe("/api/runtimes/tasks?issue_id=i1");
    expect((init.headers as Record<string, string>)["X-Workspace-ID"]).toBe("w1");
    await flush(1000);
    expect(container.textContent).toContain("Running");
    expect(container.textContent).toContain("reading the code");
    await flush(1000);
    expect(container.textContent).toContain("Completed");
    expect(container.querySelector(".task-output")?.textContent).toBe("fixed it");
    const calls = fetchMock.mock.calls.length;
    await flush(5000);
    expect(fetchMock.mock.calls.length).toBe(calls);
  });

  it("keeps trying after a failed load, less often each time, and shows the task once the app answers again", async () => {
    let down = true;
    fetchMock.mockImplementation(async () =>
      down
        ? new Response(JSON.stringify({ error: "service unavailable" }), { status: 503, headers: { "content-type": "application/json" } })
        : new Response(JSON.stringify({ tasks: [task("running")], messages: [] }), { status: 200, headers: { "content-type": "application/json" } }),
    );
    try {
      act(() => root.render(<TaskStatus workspaceId="w1" issueId="i1" pollMs={1000} />));
      await flush();
      expect(container.querySelector('[role="alert"]')?.textContent).toBe("service unavailable");
      await flush(2000); // second try after 2 s
      expect(fetchMock.mock.calls.length).toBe(2);
      await flush(3999); // the third waits 4 s
      expect(fetchMock.mock.calls.length).toBe(2);
      down = false;
      await flush(1);
      expect(fetchMock.mock.calls.length).toBe(3);
      expect(container.textContent).toContain("Running");
      expect(container.querySelector('[role="alert"]')).toBeNull();
    } finally {
      fetchMock.mockImplementation(async () => {
        const body = responses.length > 1 ? responses.shift() : responses[0];
        return new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } });
      });
    }
  });

  it("loads again when its refresh key changes (a reassignment starts a new task)", async () => {
    responses = [{ tasks: [task("completed", { result: { output: "first" } })], messages: [] }, { tasks: [task("queued", { id: "t2" })], messages: [] }];
    act(() => root.render(<TaskStatus workspaceId="w1" issueId="i1" refreshKey="a" pollMs={1000} />));
    await flush();
    expect(container.textContent).toContain("Completed");
    await flush(5000);
    expect(container.textContent).toContain("Completed"); // settled: no polling
    act(() => root.render(<TaskStatus workspaceId="w1" issueId="i1" refreshKey="b" pollMs={1000} />));
    await flush();
    expect(container.textContent).toContain("Queued — waiting for a runtime");
  });

  it("shows a failure with its reason; nothing at all for an issue without tasks", async () => {
    responses = [{ tasks: [task("failed", { failure_reason: "agent_error.process_failure", error: "exit status 3", attempt: 2 })], messages: [] }];
    act(() => root.render(<TaskStatus workspaceId="w1" issueId="i1" />));
    await flush();
    expect(container.textContent).toContain("Failed");
    expect(container.textContent).toContain("attempt 2");
    expect(container.querySelector(".error")?.textContent).toBe("agent_error.process_failure: exit status 3");

    responses = [{ tasks: [], messages: [] }];
    act(() => root.render(<TaskStatus workspaceId="w1" issueId="i2" />));
    await flush();
    expect(container.textContent).toBe("");
  });
});
