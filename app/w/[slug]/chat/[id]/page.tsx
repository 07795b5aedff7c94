import Link from "next/link";
import { notFound } from "next/navigation";
import { getDb } from "@/lib/db";
import { HttpError } from "@/lib/http/errors";
import { getAgent } from "@/lib/agents";
import { getSession, listMessages } from "@/lib/chat";
import { pageWorkspace } from "@/lib/ui/workspace";
import { MessageForm } from "./MessageForm";

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
  const [messages, agent] = await Promise.all([listMessages(db, m, session.id), getAgent(db, m, session.agent_id)]);
  return (
    <main id="main">
      <p>
        <Link href={`/w/${m.workspace.slug}/chat`}>← All conversations</Link>
      </p>
      <h1>Chat with {agent.name}</h1>
      {messages.length === 0 ? (
        <p className="muted">Say hello.</p>
      ) : (
        <ol aria-label="Messages" aria-live="polite">
          {messages.map((msg) => (
            <li key={msg.id}>
              <strong>{msg.role === "user" ? "You" : agent.name}</strong> <span className="muted">{new Date(msg.created_at).toUTCString()}</span>
              <p style={{ whiteSpace: "pre-wrap" }}>{msg.content}</p>
            </li>
          ))}
        </ol>
      )}
      {agent.archived_at ? <p className="muted">This agent is archived.</p> : <MessageForm workspaceId={m.workspace.id} sessionId={session.id} />}
    </main>
  );
}
