import Link from "next/link";
import { getDb } from "@/lib/db";
import { listAgents } from "@/lib/agents";
import { listSessions } from "@/lib/chat";
import { pageWorkspace } from "@/lib/ui/workspace";
import { NewChatForm } from "./NewChatForm";

export default async function ChatPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const m = await pageWorkspace(slug);
  const db = await getDb();
  const [sessions, agents] = await Promise.all([listSessions(db, m), listAgents(db, m, { includeArchived: true })]);
  const name = new Map(agents.map((a) => [a.id, a.name]));
  return (
    <main id="main">
      <h1>Chat</h1>
      {sessions.length === 0 ? (
        <p className="muted">No conversations yet.</p>
      ) : (
        <ul aria-label="Conversations">
          {sessions.map((s) => (
            <li key={s.id}>
              <Link href={`/w/${m.workspace.slug}/chat/${s.id}`}>{s.title || `Chat with ${name.get(s.agent_id) ?? "agent"}`}</Link>{" "}
              <span className="muted">{new Date(s.created_at).toUTCString()}</span>
            </li>
          ))}
        </ul>
      )}
      <NewChatForm workspaceId={m.workspace.id} slug={m.workspace.slug} agents={agents.filter((a) => !a.archived_at).map((a) => ({ id: a.id, name: a.name }))} />
    </main>
  );
}
