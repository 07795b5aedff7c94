import type { Metadata } from "next";
import Link from "next/link";
import { EmptyState } from "@/components/ui/EmptyState";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { getDb } from "@/lib/db";
import { listAgents } from "@/lib/agents";
import { listSessions } from "@/lib/chat";
import { pageWorkspace } from "@/lib/ui/workspace";
import { NewChatForm } from "./NewChatForm";

export const metadata: Metadata = { title: "Chat" };

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
        <EmptyState title="No conversations yet">Pick an agent below and start a chat; its replies appear here as they arrive.</EmptyState>
      ) : (
        <ul aria-label="Conversations">
          {sessions.map((s) => (
            <li key={s.id}>
              <Link href={`/w/${m.workspace.slug}/chat/${s.id}`}>{s.title || `Chat with ${name.get(s.agent_id) ?? "agent"}`}</Link>{" "}
              <span className="muted">
                <RelativeTime iso={s.created_at} />
              </span>
            </li>
          ))}
        </ul>
      )}
      <NewChatForm workspaceId={m.workspace.id} slug={m.workspace.slug} agents={agents.filter((a) => !a.archived_at).map((a) => ({ id: a.id, name: a.name }))} />
    </main>
  );
}
