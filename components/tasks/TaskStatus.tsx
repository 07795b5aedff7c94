"use client";

import Link from "next/link";
import { useCallback, useEffect, useRef, useState } from "react";
import { Badge, statusTone } from "@/components/ui/Badge";
import { Markdown } from "@/components/ui/Markdown";
import { RelativeTime } from "@/components/ui/RelativeTime";
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
export type Waiting = { reason: "no_runtime" | "runtime_offline" | "waiting_for_daemon"; agent_id: string; agent_name: string; runtime_name: string | null };

const LIVE = new Set(["queued", "dispatched", "running"]);
const LABEL: Record<string, string> = {
  queued: "Queued — waiting for a runtime",
  dispatched: "Picked up by a runtime",
  running: "Running",
  completed: "Completed",
  failed: "Failed",
  cancelled: "Cancelled",
};

/** Why a queued task waits and what fixes it, in words and with the link that fixes it (issue panel, chat). */
export function WaitHint({ waiting, agentsHref, runtimesHref }: { waiting: Waiting; agentsHref?: string; runtimesHref?: string }) {
  if (waiting.reason === "no_runtime") {
    return (
      <p className="field-hint" data-testid="wait-reason">
        {waiting.agent_name} has no runtime, so nothing can run this task.{" "}
        {agentsHref ? <Link href={agentsHref}>Edit {waiting.agent_name} and choose a runtime</Link> : "Edit the agent and choose a runtime"}; the task
        starts as soon as that runtime picks it up.
      </p>
    );
  }
  if (waiting.reason === "runtime_offline") {
    return (
      <p className="field-hint" data-testid="wait-reason">
        {waiting.agent_name}&apos;s runtime {waiting.runtime_name} is offline.{" "}
        {runtimesHref ? <Link href={runtimesHref}>Start its daemon</Link> : "Start its daemon"} (or give the agent another runtime) and the task
        starts.
      </p>
    );
  }
  return (
    <p className="field-hint" data-testid="wait-reason">
      {waiting.runtime_name} is online and picks this task up on its next poll.
    </p>
  );
}

/**
 * The agent's work on an issue: the latest task's status (and, while queued, why it waits and how to fix that), its
 * progress messages and its answer (or failure), refreshed every few seconds while the task is live.
 * `onFinished` runs once when a task the panel saw live ends (the issue page refreshes: new status, the answer comment).
 * Data: `GET /api/runtimes/tasks?issue_id=`.
 */
export function TaskStatus(props: { workspaceId: string; issueId: string; pollMs?: number; agentsHref?: string; runtimesHref?: string; onFinished?: () => void }) {
  const { workspaceId, issueId, pollMs = 3000 } = props;
  const [tasks, setTasks] = useState<Task[] | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [waiting, setWaiting] = useState<Waiting | null>(null);
  const [error, setError] = useState<string | null>(null);
  const sawLive = useRef(false);
  const onFinished = useRef(props.onFinished);
  onFinished.current = props.onFinished;

  const load = useCallback(async () => {
    try {
      const data = await api<{ tasks: Task[]; messages: Message[]; waiting?: Waiting | null }>(`/api/runtimes/tasks?issue_id=${encodeURIComponent(issueId)}`, { workspaceId });
      setTasks(data.tasks);
      setMessages(data.messages);
      setWaiting(data.waiting ?? null);
      setError(null);
      const live = data.tasks[0] ? LIVE.has(data.tasks[0].status) : false;
      if (live) sawLive.current = true;
      else if (sawLive.current) {
        sawLive.current = false;
        onFinished.current?.();
      }
      return live;
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
  // Runs that actually ran: a cancelled run (the issue was reassigned or closed) is not one of the agent's attempts.
  const runs = tasks.filter((t) => t.status !== "cancelled").length;
  return (
    <section className="panel" aria-label="Agent task" aria-live="polite">
      <h3 style={{ marginTop: 0 }}>Agent task</h3>
      <p>
        <Badge tone={statusTone(latest.status)} data-status={latest.status}>
          {LABEL[latest.status] ?? latest.status}
        </Badge>
        {latest.attempt > 1 && <span className="muted"> · attempt {latest.attempt}</span>}
        {runs > 1 && <span className="muted"> · {runs} runs</span>}
        {latest.completed_at && (
          <span className="muted">
            {" "}
            · {latest.status === "completed" ? "finished" : "ended"} <RelativeTime iso={latest.completed_at} />
          </span>
        )}
      </p>
      {latest.status === "queued" && waiting && <WaitHint waiting={waiting} agentsHref={props.agentsHref} runtimesHref={props.runtimesHref} />}
      {messages.length > 0 && (
        <ol aria-label="Progress">
          {messages.map((m) => (
            <li key={m.id}>{m.content}</li>
          ))}
        </ol>
      )}
      {latest.status === "completed" && latest.result?.output && (
        <div className="task-output">
          <Markdown>{latest.result.output}</Markdown>
        </div>
      )}
      {latest.status === "failed" && (
        <p className="error">
          {latest.failure_reason}
          {latest.error ? `: ${latest.error}` : ""}
        </p>
      )}
    </section>
  );
}
