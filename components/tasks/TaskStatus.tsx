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
 * `refreshKey` changes when the issue does (a reassignment starts a new task): the panel loads again. A failed load
 * keeps the last status on screen and tries again, less often each time (up to 30 s), until the app answers.
 * Data: `GET /api/runtimes/tasks?issue_id=`.
 */
export function TaskStatus(props: {
  workspaceId: string;
  issueId: string;
  refreshKey?: string;
  pollMs?: number;
  agentsHref?: string;
  runtimesHref?: string;
  onFinished?: () => void;
}) {
  const { workspaceId, issueId, refreshKey, pollMs = 3000 } = props;
  const [tasks, setTasks] = useState<Task[] | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [waiting, setWaiting] = useState<Waiting | null>(null);
  const [error, setError] = useState<string | null>(null);
  const sawLive = useRef(false);
  const onFinished = useRef(props.onFinished);
  onFinished.current = props.onFinished;

  /** Whether to poll again: the task is live (true), settled (false), or the load failed ("retry"). */
  const load = useCallback(async (): Promise<boolean | "retry"> => {
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
      setError(err instanceof ApiError ? err.message : "Could not load the task status; trying again.");
      return "retry";
    }
  }, [issueId, workspaceId]);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    let failures = 0;
    const tick = async () => {
      const next = await load();
      if (stopped || next === false) return;
      failures = next === "retry" ? failures + 1 : 0;
      timer = setTimeout(tick, Math.min(pollMs * 2 ** failures, 30_000));
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [load, pollMs, refreshKey]);

  if (!tasks) {
    return error ? (
      <p className="error" role="alert">
        {error}
      </p>
    ) : (
      <p className="muted">Loading agent status…</p>
    );
  }
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
      {error && <p className="field-hint">{error}</p>}
      {latest.status === "failed" && (
        <p className="error" style={{ whiteSpace: "pre-wrap" }}>
          {latest.failure_reason}
          {latest.error ? `: ${latest.error}` : ""}
        </p>
      )}
    </section>
  );
}
