import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getDb } from "@/lib/db";
import { HttpError } from "@/lib/http/errors";
import { getAgent } from "@/lib/agents";
import { getSession, listMessages } from "@/lib/chat";
import { pageWorkspace } from "@/lib/ui/workspace";
import { Breadcrumbs } from "@/components/ui/Breadcrumbs";
import { LiveRefresh } from "@/components/ui/LiveRefresh";
import { Markdown } from "@/components/ui/Markdown";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { WaitHint } from "@/components/tasks/TaskStatus";
import { latestChatTask, taskWaitReason } from "@/lib/tasks";
import { MessageForm } from "./MessageForm";

export const metadata: Metadata = { title: "Chat" };

export default async function ChatSessionPage({ params }: { params: Promise<{ slug: string; id: string }> }) {
  const { slug, id } = await params;
  const m = await pageWorkspace(slug);
  const db = await getDb();
  let session: Awaited<ReturnType<typeof getSession>>;
  try {
    session = await getSession(db, m, id);
  } catch (err) {
    if (err instanceof HttpError && err.status === 404) notFound();
    throw err;
  }
  const [messages, agent, task] = await Promise.all([
    listMessages(db, m, session.id),
    getAgent(db, m, session.agent_id),
    latestChatTask(db, m.workspace.id, session.id),
  ]);
  // A message the agent has not picked up says why, as the issue page does (no runtime, runtime offline).
  const waiting = task?.status === "queued" ? await taskWaitReason(db, task) : null;
  return (
    <main id="main">
      {/* The agent's reply arrives through its daemon a moment after sending: keep the conversation live. */}
      <LiveRefresh ms={2000} />
      <Breadcrumbs
        items={[
          { href: `/w/${m.workspace.slug}`, label: m.workspace.name },
          { href: `/w/${m.workspace.slug}/chat`, label: "Chat" },
          { label: agent.name },
        ]}
      />
      <h1>Chat with {agent.name}</h1>
      {messages.length === 0 ? (
        <p className="muted">Say hello.</p>
      ) : (
        <ol aria-label="Messages" aria-live="polite" className="comments">
          {messages.map((msg) => (
            <li key={msg.id} className="panel">
              <strong>{msg.role === "user" ? "You" : agent.name}</strong>{" "}
              <span className="muted">
                <RelativeTime iso={msg.created_at} />
              </span>
              {msg.role === "user" ? <p style={{ whiteSpace: "pre-wrap", margin: 0 }}>{msg.content}</p> : <Markdown>{msg.content}</Markdown>}
            </li>
          ))}
        </ol>
      )}
      {waiting && <WaitHint waiting={waiting} agentsHref={`/w/${m.workspace.slug}/agents`} runtimesHref={`/w/${m.workspace.slug}/runtimes`} />}
      {/* The reply's progress, or why it will not come: the conversation alone would just stop. */}
      {(task?.status === "dispatched" || task?.status === "running") && (
        <p className="field-hint" role="status">
          {agent.name} is working on a reply…
        </p>
      )}
      {task?.status === "failed" && (
        <p className="error" role="alert">
          {agent.name} could not reply{task.error ? `: ${task.error}` : ""}. Send your message again to retry.
        </p>
      )}
      {agent.archived_at ? <p className="muted">This agent is archived.</p> : <MessageForm workspaceId={m.workspace.id} sessionId={session.id} />}
    </main>
  );
}
