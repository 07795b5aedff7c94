"use client";

import { useCallback, useEffect, useState } from "react";
import { api, ApiError } from "@/lib/ui/api";

type Task = {
  id: string;
  status: string;
  attempt: number;
  failure_reason: string | null;
  error: string | null;
  result: { output?: string } | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
};
type Message = { id: string; kind: string; content: string; created_at: string };

const LIVE = new Set(["queued", "dispatched", "running"]);
const LABEL: Record<string, string> = {
  queued: "Queued — waiting for a runtime",
  dispatched: "Picked up by a runtime",
  running: "Running",
  completed: "Completed",
  failed: "Failed",
  cancelled: "Cancelled",
};

/**
 * The agent's work on an issue: the latest task's status, its progress messages and its answer (or failure),
 * refreshed every few seconds while the task is live. Data: `GET /api/runtimes/tasks?issue_id=`.
 */
export function TaskStatus({ workspaceId, issueId, pollMs = 3000 }: { workspaceId: string; issueId: string; pollMs?: number }) {
  const [tasks, setTasks] = useState<Task[] | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const data = await api<{ tasks: Task[]; messages: Message[] }>(`/api/runtimes/tasks?issue_id=${encodeURIComponent(issueId)}`, { workspaceId });
      setTasks(data.tasks);
      setMessages(data.messages);
      setError(null);
      return data.tasks[0] ? LIVE.has(data.tasks[0].status) : false;
    } catch (err) {
      setError(err instanceof ApiError ? err.message : "could not load the task status");
      return false;
    }
  }, [issueId, workspaceId]);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const tick = async () => {
      const live = await load();
      if (live && !stopped) timer = setTimeout(tick, pollMs);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [load, pollMs]);

  if (error) return <p className="error" role="alert">{error}</p>;
  if (!tasks) return <p className="muted">Loading agent status…</p>;
  const latest = tasks[0];
  if (!latest) return null;
  return (
    <section className="panel" aria-label="Agent task" aria-live="polite">
      <h2>Agent task</h2>
      <p>
        <span className="badge" data-status={latest.status}>
          {LABEL[latest.status] ?? latest.status}
        </span>
        {latest.attempt > 1 && <span className="muted"> · attempt {latest.attempt}</span>}
        {tasks.length > 1 && <span className="muted"> · {tasks.length} runs</span>}
      </p>
      {messages.length > 0 && (
        <ol aria-label="Progress">
          {messages.map((m) => (
            <li key={m.id}>{m.content}</li>
          ))}
        </ol>
      )}
      {latest.status === "completed" && latest.result?.output && <pre className="task-output">{latest.result.output}</pre>}
      {latest.status === "failed" && (
        <p className="error">
          {latest.failure_reason}
          {latest.error ? `: ${latest.error}` : ""}
        </p>
      )}
    </section>
  );
}
