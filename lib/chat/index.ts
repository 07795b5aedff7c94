import { and, asc, desc, eq, isNull } from "drizzle-orm";
import type { Membership } from "@/lib/auth";
import { isUuid } from "@/lib/auth";
import type { Db, Tx } from "@/lib/db";
import { agents, chatMessages, chatSessions, runtimes } from "@/lib/db/schema";
import { badRequest, notFound } from "@/lib/http/errors";
import { afterTaskEnqueued, enqueueTask } from "@/lib/tasks";
import { events, recordEvent, withEvents } from "@/lib/telemetry";

type Session = typeof chatSessions.$inferSelect;
type Message = typeof chatMessages.$inferSelect;

function sessionResponse(s: Session) {
  return { id: s.id, agent_id: s.agentId, creator_id: s.creatorId, title: s.title, created_at: s.createdAt.toISOString() };
}

function messageResponse(msg: Message) {
  return {
    id: msg.id,
    session_id: msg.sessionId,
    role: msg.role,
    content: msg.content,
    task_id: msg.taskId,
    created_at: msg.createdAt.toISOString(),
  };
}

export async function createSession(db: Db, m: Membership, input: { agentId: string; title?: string }) {
  if (!isUuid(input.agentId)) throw badRequest("agent_id: not an active agent of this workspace");
  const [agent] = await db
    .select({ id: agents.id })
    .from(agents)
    .where(and(eq(agents.id, input.agentId), eq(agents.workspaceId, m.workspace.id), isNull(agents.archivedAt)));
  if (!agent) throw badRequest("agent_id: not an active agent of this workspace");
  const [s] = await db
    .insert(chatSessions)
    .values({ workspaceId: m.workspace.id, agentId: agent.id, creatorId: m.user.id, title: input.title ?? "" })
    .returning();
  return sessionResponse(s!);
}

/** Chat sessions are private to the member who opened them; anyone else gets the same 404 as a missing one. */
async function findSession(db: Db | Tx, m: Membership, id: string): Promise<Session> {
  if (!isUuid(id)) throw notFound("chat session not found");
  const [s] = await db
    .select()
    .from(chatSessions)
    .where(and(eq(chatSessions.id, id), eq(chatSessions.workspaceId, m.workspace.id), eq(chatSessions.creatorId, m.user.id)));
  if (!s) throw notFound("chat session not found");
  return s;
}

export async function listSessions(db: Db, m: Membership) {
  const rows = await db
    .select()
    .from(chatSessions)
    .where(and(eq(chatSessions.workspaceId, m.workspace.id), eq(chatSessions.creatorId, m.user.id)))
    .orderBy(desc(chatSessions.createdAt))
    .limit(100);
  return rows.map(sessionResponse);
}

export async function getSession(db: Db, m: Membership, id: string) {
  return sessionResponse(await findSession(db, m, id));
}

export async function listMessages(db: Db, m: Membership, sessionId: string) {
  const s = await findSession(db, m, sessionId);
  const rows = await db.select().from(chatMessages).where(eq(chatMessages.sessionId, s.id)).orderBy(asc(chatMessages.createdAt)).limit(500);
  return rows.map(messageResponse);
}

/** Stores the user's message and queues the agent's chat task in one transaction; `chat_message_sent` after commit. */
export async function sendMessage(db: Db, m: Membership, sessionId: string, content: string, platform: string) {
  const { message } = await withEvents(db, async (tx) => {
    const s = await findSession(tx, m, sessionId);
    const [agent] = await tx
      .select({ archivedAt: agents.archivedAt, provider: runtimes.provider, runtimeMode: runtimes.runtimeMode })
      .from(agents)
      .leftJoin(runtimes, eq(runtimes.id, agents.runtimeId))
      .where(eq(agents.id, s.agentId));
    if (!agent || agent.archivedAt) throw badRequest("the session's agent is archived");
    const [inserted] = await tx.insert(chatMessages).values({ sessionId: s.id, workspaceId: m.workspace.id, role: "user", content }).returning();
    const task = await enqueueTask(tx, { workspaceId: m.workspace.id, agentId: s.agentId, source: "chat", prompt: content, chatSessionId: s.id });
    const [message] = await tx.update(chatMessages).set({ taskId: task.id }).where(eq(chatMessages.id, inserted!.id)).returning();
    recordEvent(
      events.chatMessageSent({
        userId: m.user.id,
        workspaceId: m.workspace.id,
        chatSessionId: sessionId,
        taskId: task.id,
        agentId: task.agentId,
        runtimeMode: agent.runtimeMode ?? "",
        provider: agent.provider ?? "",
        platform,
      }),
      tx,
    );
    await afterTaskEnqueued(task, tx);
    return { message: message! };
  });
  return messageResponse(message);
}
