import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { GET as listSessions, POST as createSession } from "@/app/api/chat/sessions/route";
import { GET as listMessages, POST as sendMessage } from "@/app/api/chat/sessions/[id]/messages/route";
import { DELETE as archiveAgent } from "@/app/api/agents/[id]/route";
import { getDb } from "@/lib/db";
import { agentTasks, chatMessages } from "@/lib/db/schema";
import { call } from "./helpers/api";
import { captureEvents, metricValue } from "./helpers/telemetry";
import { addMember, ownerWithWorkspace } from "./helpers/workspace";
import { insertRuntime, newAgent } from "./helpers/work";
import { bearer, daemonTokenFor } from "./helpers/daemon";
import { POST as registerDaemon } from "@/app/api/daemon/register/route";
import { POST as claimTask } from "@/app/api/daemon/runtimes/[id]/tasks/claim/route";
import { POST as startTask } from "@/app/api/daemon/tasks/[id]/start/route";
import { POST as completeTask } from "@/app/api/daemon/tasks/[id]/complete/route";

process.env.RATE_LIMIT_SEND_CODE_IP = "100000";

const sink = captureEvents();

async function setup() {
  const ctx = await ownerWithWorkspace();
  const rt = await insertRuntime(ctx.workspace.id, { provider: "claude", mode: "local" });
  const agent = await newAgent(ctx.owner, ctx.headers, { runtime_id: rt.id });
  const session = await call(createSession, { path: "/api/chat/sessions", session: ctx.owner, headers: ctx.headers, body: { agent_id: agent.id, title: "Help" } });
  expect(session.status).toBe(201);
  sink.clear();
  return { ...ctx, agent, chat: session.body as { id: string } };
}

describe("chat", () => {
  it("a user message is stored, queues a chat task and emits chat_message_sent{platform}", async () => {
    const ctx = await setup();
    const before = await metricValue("tandem_chat_message_sent_total", { platform: "desktop" });
    const res = await call(sendMessage, { session: ctx.owner, headers: { ...ctx.headers, "x-client-platform": "desktop" }, params: { id: ctx.chat.id }, body: { content: "What's next?" } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ session_id: ctx.chat.id, role: "user", content: "What's next?", task_id: expect.any(String) });
    const [task] = await (await getDb()).select().from(agentTasks).where(eq(agentTasks.id, res.body.task_id));
    expect(task).toMatchObject({ source: "chat", chatSessionId: ctx.chat.id, agentId: ctx.agent.id, prompt: "What's next?", issueId: null });

    const [ev] = sink.named("chat_message_sent");
    expect(ev!.distinct_id).toBe(ctx.owner.user.id);
    expect(ev!.properties).toMatchObject({ platform: "desktop", chat_session_id: ctx.chat.id, task_id: task!.id, agent_id: ctx.agent.id, source: "chat", runtime_mode: "local", provider: "claude" });
    expect(JSON.stringify(ev)).not.toContain("What's next?");
    expect(await metricValue("tandem_chat_message_sent_total", { platform: "desktop" })).toBe(before + 1);

    const list = await call(listMessages, { session: ctx.owner, headers: ctx.headers, params: { id: ctx.chat.id } });
    expect(list.body.messages).toHaveLength(1);
    expect((await call(listSessions, { path: "/api/chat/sessions", session: ctx.owner, headers: ctx.headers })).body.sessions).toHaveLength(1);
  });

  it("validates, and keeps sessions private: other members and other workspaces get 404", async () => {
    const ctx = await setup();
    const other = await ownerWithWorkspace();
    const foreignAgent = await newAgent(other.owner, other.headers);
    const colleague = await addMember(ctx.workspace.id, "admin");

    expect((await call(sendMessage, { session: ctx.owner, headers: ctx.headers, params: { id: ctx.chat.id }, body: { content: "  " } })).status).toBe(400);
    expect((await call(createSession, { path: "/api/chat/sessions", session: ctx.owner, headers: ctx.headers, body: { agent_id: foreignAgent.id } })).status).toBe(400);
    expect((await call(createSession, { path: "/api/chat/sessions", session: ctx.owner, headers: ctx.headers, body: {} })).status).toBe(400);
    for (const [session, headers] of [[other.owner, other.headers], [colleague, ctx.headers]] as const) {
      expect((await call(sendMessage, { session, headers, params: { id: ctx.chat.id }, body: { content: "hi" } })).status).toBe(404);
      expect((await call(listMessages, { session, headers, params: { id: ctx.chat.id } })).status).toBe(404);
    }
    expect(await (await getDb()).select().from(chatMessages).where(eq(chatMessages.sessionId, ctx.chat.id))).toHaveLength(0);
    expect(sink.named("chat_message_sent")).toHaveLength(0);

    await call(archiveAgent, { method: "DELETE", session: ctx.owner, headers: ctx.headers, params: { id: ctx.agent.id } });
    const toArchived = await call(sendMessage, { session: ctx.owner, headers: ctx.headers, params: { id: ctx.chat.id }, body: { content: "hi" } });
    expect(toArchived.status).toBe(400);
    expect(await (await getDb()).select().from(chatMessages).where(eq(chatMessages.sessionId, ctx.chat.id))).toHaveLength(0);
  });

  it("the agent's answer (the completed chat task's output) appears in the session", async () => {
    const ctx = await ownerWithWorkspace();
    const token = await daemonTokenFor(ctx.owner, ctx.workspace.id);
    const reg = await call(registerDaemon, {
      path: "/api/daemon/register",
      headers: bearer(token),
      body: { workspace_id: ctx.workspace.id, daemon_id: "d-chat", device_name: "box", cli_version: "1.0.0", runtimes: [{ name: "Claude", provider: "claude", version: "2", status: "online" }] },
    });
    const runtimeId = reg.body.runtimes[0].id as string;
    const agent = await newAgent(ctx.owner, ctx.headers, { runtime_id: runtimeId });
    const chat = (await call(createSession, { path: "/api/chat/sessions", session: ctx.owner, headers: ctx.headers, body: { agent_id: agent.id } })).body;
    const sent = (await call(sendMessage, { session: ctx.owner, headers: ctx.headers, params: { id: chat.id }, body: { content: "Status?" } })).body;
    const claimed = await call(claimTask, { path: `/api/daemon/runtimes/${runtimeId}/tasks/claim`, method: "POST", headers: bearer(token), params: { id: runtimeId } });
    expect(claimed.body.task.id).toBe(sent.task_id);
    const op = (handler: typeof startTask, name: string, body: unknown = {}) =>
      call(handler, { path: `/api/daemon/tasks/${sent.task_id}/${name}`, body, headers: bearer(token), params: { id: sent.task_id } });
    expect((await op(startTask, "start")).status).toBe(200);
    expect((await op(completeTask, "complete", { result: { output: "All green." } })).status).toBe(200);
    expect((await op(completeTask, "complete", { result: { output: "All green." } })).status).toBe(200); // a repeat stores nothing
    const list = (await call(listMessages, { session: ctx.owner, headers: ctx.headers, params: { id: chat.id } })).body.messages;
    expect(list.map((msg: { role: string; content: string }) => [msg.role, msg.content])).toEqual([
      ["user", "Status?"],
      ["agent", "All green."],
    ]);
  });
});
