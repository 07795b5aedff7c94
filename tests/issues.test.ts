import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { GET as listIssues, POST as createIssue } from "@/app/api/issues/route";
import { DELETE as deleteIssue, GET as getIssue, PATCH as patchIssue } from "@/app/api/issues/[id]/route";
import { GET as listComments, POST as addComment } from "@/app/api/issues/[id]/comments/route";
import { getDb } from "@/lib/db";
import { agentTasks, issues } from "@/lib/db/schema";
import { call } from "./helpers/api";
import { captureEvents, metricValue } from "./helpers/telemetry";
import { addMember, ownerWithWorkspace } from "./helpers/workspace";
import { newAgent } from "./helpers/work";

process.env.RATE_LIMIT_SEND_CODE_IP = "100000";

const sink = captureEvents();
const WEB = { "x-client-platform": "web" };

async function tasksOfIssue(issueId: string) {
  return (await getDb()).select().from(agentTasks).where(eq(agentTasks.issueId, issueId));
}

describe("POST /api/issues", () => {
  it("creates an issue with the next identifier and emits issue_created{source=manual, platform=web}", async () => {
    const { owner, workspace, headers } = await ownerWithWorkspace("Engine Room");
    const before = await metricValue("tandem_issue_created_total", { source: "manual", platform: "web" });
    const res = await call(createIssue, { path: "/api/issues", session: owner, headers: { ...headers, ...WEB }, body: { title: "Fix the build", description: "It is *red*", priority: "high" } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      identifier: `${workspace.issue_prefix}-1`,
      number: 1,
      title: "Fix the build",
      status: "backlog",
      priority: "high",
      creator_type: "member",
      creator_id: owner.user.id,
      assignee_type: null,
      assignee_id: null,
      origin_type: "manual",
      first_executed_at: null,
    });
    const second = await call(createIssue, { path: "/api/issues", session: owner, headers, body: { title: "Second" } });
    expect(second.body.number).toBe(2);

    const [ev] = sink.named("issue_created");
    expect(ev!.distinct_id).toBe(owner.user.id);
    expect(ev!.properties).toMatchObject({ source: "manual", platform: "web", issue_id: res.body.id, workspace_id: workspace.id, user_id: owner.user.id });
    expect(await metricValue("tandem_issue_created_total", { source: "manual", platform: "web" })).toBe(before + 1);
    // No header → no platform property; the metric counts it as unknown.
    expect(sink.named("issue_created")[1]!.properties.platform).toBeUndefined();
  });

  it("allocates 50 distinct numbers under 50 parallel creates", async () => {
    const { owner, headers } = await ownerWithWorkspace();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => call(createIssue, { path: "/api/issues", session: owner, headers, body: { title: `Parallel ${i}` } })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
    const numbers = results.map((r) => r.body.number as number).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(sink.named("issue_created")).toHaveLength(50);
  });

  it("assigning to an agent on create queues the agent's task", async () => {
    const { owner, headers } = await ownerWithWorkspace();
    const agent = await newAgent(owner, headers);
    const res = await call(createIssue, { path: "/api/issues", session: owner, headers, body: { title: "Do it", assignee_type: "agent", assignee_id: agent.id } });
    expect(res.status).toBe(201);
    const tasks = await tasksOfIssue(res.body.id);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ agentId: agent.id, source: "issue", status: "queued", prompt: "Do it" });
  });

  it.each([
    [{}, /title/],
    [{ title: "   " }, /title/],
    [{ title: "x", status: "open" }, /status/],
    [{ title: "x", priority: "p0" }, /priority/],
    [{ title: "x", assignee_type: "agent" }, /assignee/],
    [{ title: "x", assignee_type: "robot", assignee_id: "00000000-0000-4000-8000-000000000000" }, /assignee_type/],
    [{ title: "x", assignee_type: "agent", assignee_id: "00000000-0000-4000-8000-000000000000" }, /assignee_id/],
  ])("rejects %j with a 400 naming the field and changes nothing", async (body, message) => {
    const { owner, workspace, headers } = await ownerWithWorkspace();
    const res = await call(createIssue, { path: "/api/issues", session: owner, headers, body });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(message);
    expect(await (await getDb()).select().from(issues).where(eq(issues.workspaceId, workspace.id))).toHaveLength(0);
    expect(sink.named("issue_created")).toHaveLength(0);
  });

  it("refuses an assignee from another workspace", async () => {
    const a = await ownerWithWorkspace();
    const b = await ownerWithWorkspace();
    const foreignAgent = await newAgent(b.owner, b.headers);
    const asAgent = await call(createIssue, { path: "/api/issues", session: a.owner, headers: a.headers, body: { title: "x", assignee_type: "agent", assignee_id: foreignAgent.id } });
    expect(asAgent.status).toBe(400);
    const asMember = await call(createIssue, { path: "/api/issues", session: a.owner, headers: a.headers, body: { title: "x", assignee_type: "member", assignee_id: b.owner.user.id } });
    expect(asMember.status).toBe(400);
  });

  it("needs a workspace and a membership", async () => {
    const a = await ownerWithWorkspace();
    const b = await ownerWithWorkspace();
    expect((await call(createIssue, { path: "/api/issues", session: a.owner, body: { title: "x" } })).status).toBe(400);
    expect((await call(createIssue, { path: "/api/issues", session: a.owner, headers: b.headers, body: { title: "x" } })).status).toBe(404);
    expect((await call(createIssue, { path: "/api/issues", headers: a.headers, body: { title: "x" } })).status).toBe(401);
    // The slug header and the query parameter work too.
    const bySlug = await call(createIssue, { path: "/api/issues", session: a.owner, headers: { "x-workspace-slug": a.workspace.slug }, body: { title: "x" } });
    expect(bySlug.status).toBe(201);
    const byQuery = await call(listIssues, { path: `/api/issues?workspace_id=${a.workspace.id}`, session: a.owner });
    expect(byQuery.body.issues).toHaveLength(1);
  });
});

describe("GET /api/issues", () => {
  it("filters by status, assignee and text", async () => {
    const { owner, headers } = await ownerWithWorkspace();
    const agent = await newAgent(owner, headers);
    const mk = (body: Record<string, unknown>) => call(createIssue, { path: "/api/issues", session: owner, headers, body });
    await mk({ title: "Write docs", status: "todo" });
    await mk({ title: "Ship release", status: "in_progress", assignee_type: "agent", assignee_id: agent.id });
    await mk({ title: "Write tests 100%", status: "done", assignee_type: "member", assignee_id: owner.user.id });
    const list = async (query: string) => (await call(listIssues, { path: `/api/issues?${query}`, session: owner, headers })).body.issues.map((i: { title: string }) => i.title);
    expect(await list("")).toEqual(["Write tests 100%", "Ship release", "Write docs"]);
    expect(await list("status=todo,done")).toEqual(["Write tests 100%", "Write docs"]);
    expect(await list(`assignee_id=${agent.id}`)).toEqual(["Ship release"]);
    expect(await list("assignee_type=member")).toEqual(["Write tests 100%"]);
    expect(await list("q=write")).toEqual(["Write tests 100%", "Write docs"]);
    expect(await list("q=100%25")).toEqual(["Write tests 100%"]);
    expect(await list("q=%25")).toEqual(["Write tests 100%"]);
    expect((await call(listIssues, { path: "/api/issues?status=open", session: owner, headers })).status).toBe(400);
  });
});

describe("GET/PATCH/DELETE /api/issues/[id]", () => {
  it("reads by UUID or identifier (case-insensitive prefix); another workspace's issue is a 404", async () => {
    const a = await ownerWithWorkspace("Alpha");
    const b = await ownerWithWorkspace("Beta");
    const created = (await call(createIssue, { path: "/api/issues", session: a.owner, headers: a.headers, body: { title: "Mine" } })).body;
    const byId = await call(getIssue, { session: a.owner, headers: a.headers, params: { id: created.id } });
    expect(byId.body.identifier).toBe(created.identifier);
    const byIdent = await call(getIssue, { session: a.owner, headers: a.headers, params: { id: created.identifier.toLowerCase() } });
    expect(byIdent.body.id).toBe(created.id);
    for (const id of [created.id, created.identifier]) {
      expect((await call(getIssue, { session: b.owner, headers: b.headers, params: { id } })).status).toBe(404);
      expect((await call(patchIssue, { method: "PATCH", session: b.owner, headers: b.headers, params: { id }, body: { title: "hacked" } })).status).toBe(404);
      expect((await call(deleteIssue, { method: "DELETE", session: b.owner, headers: b.headers, params: { id } })).status).toBe(404);
      expect((await call(addComment, { session: b.owner, headers: b.headers, params: { id }, body: { body: "hi" } })).status).toBe(404);
      expect((await call(listComments, { session: b.owner, headers: b.headers, params: { id } })).status).toBe(404);
    }
    expect((await call(getIssue, { session: a.owner, headers: a.headers, params: { id: "nope" } })).status).toBe(404);
    expect((await call(getIssue, { session: a.owner, headers: a.headers, params: { id: "ZZZ-1" } })).status).toBe(404);
    expect((await getIssue(new Request("http://localhost/x"), { params: Promise.resolve({ id: created.id }) })).status).toBe(401);
  });

  it("updates fields; assigning to an agent queues one task, re-sending the same assignee does not", async () => {
    const { owner, headers } = await ownerWithWorkspace();
    const agent = await newAgent(owner, headers);
    const created = (await call(createIssue, { path: "/api/issues", session: owner, headers, body: { title: "Triage" } })).body;
    const patch = (body: unknown) => call(patchIssue, { method: "PATCH", session: owner, headers, params: { id: created.identifier }, body });
    const res = await patch({ status: "todo", priority: "urgent", title: "Triage inbox", assignee_type: "agent", assignee_id: agent.id });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "todo", priority: "urgent", title: "Triage inbox", assignee_type: "agent", assignee_id: agent.id });
    expect(await tasksOfIssue(created.id)).toHaveLength(1);
    await patch({ assignee_type: "agent", assignee_id: agent.id });
    expect(await tasksOfIssue(created.id)).toHaveLength(1);
    const cleared = await patch({ assignee_type: null, assignee_id: null });
    expect(cleared.body).toMatchObject({ assignee_type: null, assignee_id: null });
    expect((await patch({ status: "closed" })).status).toBe(400);
    expect((await patch({ assignee_type: "agent" })).status).toBe(400);
    expect(sink.named("issue_created")).toHaveLength(1);
  });

  it("reassigning away from an agent or deleting the issue cancels its live tasks", async () => {
    const { owner, headers } = await ownerWithWorkspace();
    const first = await newAgent(owner, headers, { name: "First" });
    const second = await newAgent(owner, headers, { name: "Second" });
    const created = (await call(createIssue, { path: "/api/issues", session: owner, headers, body: { title: "Hand over", assignee_type: "agent", assignee_id: first.id } })).body;
    const bad = await call(patchIssue, { method: "PATCH", session: owner, headers, params: { id: created.id }, body: { assignee_type: "agent", assignee_id: "00000000-0000-4000-8000-000000000000" } });
    expect(bad.status).toBe(400);
    expect((await tasksOfIssue(created.id)).map((t) => t.status)).toEqual(["queued"]);

    await call(patchIssue, { method: "PATCH", session: owner, headers, params: { id: created.id }, body: { assignee_type: "agent", assignee_id: second.id } });
    const tasks = await tasksOfIssue(created.id);
    expect(tasks.find((t) => t.agentId === first.id)!.status).toBe("cancelled");
    expect(tasks.find((t) => t.agentId === second.id)!.status).toBe("queued");
    expect(sink.named("agent_task_cancelled")).toHaveLength(1);

    expect((await call(deleteIssue, { method: "DELETE", session: owner, headers, params: { id: created.id } })).status).toBe(204);
    expect((await tasksOfIssue(created.id)).map((t) => t.status)).toEqual(["cancelled", "cancelled"]);
    // Both cancellations keep the issue's creator and source, the deletion's too (read before the row went).
    const cancelledEvents = sink.named("agent_task_cancelled");
    expect(cancelledEvents).toHaveLength(2);
    for (const e of cancelledEvents) {
      expect(e.distinct_id).toBe(owner.user.id);
      expect(e.properties).toMatchObject({ user_id: owner.user.id, source: "manual", issue_id: created.id });
    }
  });

  it("cancelling the issue cancels its live tasks; a closed issue gets no agent task", async () => {
    const { owner, headers } = await ownerWithWorkspace();
    const agent = await newAgent(owner, headers);
    const open = (await call(createIssue, { path: "/api/issues", session: owner, headers, body: { title: "Stop", assignee_type: "agent", assignee_id: agent.id } })).body;
    const patch = (id: string, body: unknown) => call(patchIssue, { method: "PATCH", session: owner, headers, params: { id }, body });
    expect((await patch(open.id, { status: "cancelled" })).status).toBe(200);
    expect((await tasksOfIssue(open.id)).map((t) => t.status)).toEqual(["cancelled"]);
    expect(sink.named("agent_task_cancelled")).toHaveLength(1);
    // Cancelled again (with another field): nothing more to cancel.
    expect((await patch(open.id, { status: "cancelled", priority: "low" })).status).toBe(200);
    expect(sink.named("agent_task_cancelled")).toHaveLength(1);

    for (const status of ["done", "cancelled"]) {
      const closed = await call(createIssue, { path: "/api/issues", session: owner, headers, body: { title: `Already ${status}`, status, assignee_type: "agent", assignee_id: agent.id } });
      expect(closed.status).toBe(201);
      expect(closed.body).toMatchObject({ status, assignee_type: "agent", assignee_id: agent.id });
      expect(await tasksOfIssue(closed.body.id)).toHaveLength(0);
    }
    // Assigning an agent to a closed issue records the assignee and queues nothing.
    const done = (await call(createIssue, { path: "/api/issues", session: owner, headers, body: { title: "Finished", status: "done" } })).body;
    expect((await patch(done.id, { assignee_type: "agent", assignee_id: agent.id })).body).toMatchObject({ assignee_id: agent.id });
    expect(await tasksOfIssue(done.id)).toHaveLength(0);
    expect(sink.named("agent_task_queued")).toHaveLength(1); // the first issue's only
  });

  it("concurrent reassignments leave exactly one live task, for the final assignee", async () => {
    const { owner, headers } = await ownerWithWorkspace();
    const agentsList = await Promise.all(["A", "B", "C", "D", "E"].map((name) => newAgent(owner, headers, { name })));
    const created = (await call(createIssue, { path: "/api/issues", session: owner, headers, body: { title: "Hot potato", assignee_type: "agent", assignee_id: agentsList[0]!.id } })).body;
    const results = await Promise.all(
      agentsList.slice(1).map((a) => call(patchIssue, { method: "PATCH", session: owner, headers, params: { id: created.id }, body: { assignee_type: "agent", assignee_id: a.id } })),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const final = (await call(getIssue, { session: owner, headers, params: { id: created.id } })).body;
    const live = (await tasksOfIssue(created.id)).filter((t) => t.status === "queued");
    expect(live).toHaveLength(1);
    expect(live[0]!.agentId).toBe(final.assignee_id);
  });

  it("delete: the creator or an owner/admin; another member gets 403", async () => {
    const { owner, workspace, headers } = await ownerWithWorkspace();
    const member = await addMember(workspace.id, "member");
    const admin = await addMember(workspace.id, "admin");
    const mine = (await call(createIssue, { path: "/api/issues", session: member, headers, body: { title: "Member's" } })).body;
    const owners = (await call(createIssue, { path: "/api/issues", session: owner, headers, body: { title: "Owner's" } })).body;
    expect((await call(deleteIssue, { method: "DELETE", session: member, headers, params: { id: owners.id } })).status).toBe(403);
    expect((await call(getIssue, { session: owner, headers, params: { id: owners.id } })).status).toBe(200);
    expect((await call(deleteIssue, { method: "DELETE", session: member, headers, params: { id: mine.id } })).status).toBe(204);
    expect((await call(deleteIssue, { method: "DELETE", session: admin, headers, params: { id: owners.id } })).status).toBe(204);
    expect((await call(getIssue, { session: owner, headers, params: { id: owners.id } })).status).toBe(404);
  });

  it("refuses a cookie PATCH from another origin", async () => {
    const { owner, headers } = await ownerWithWorkspace();
    const created = (await call(createIssue, { path: "/api/issues", session: owner, headers, body: { title: "x" } })).body;
    const res = await call(patchIssue, { method: "PATCH", session: owner, headers: { ...headers, origin: "https://evil.example" }, params: { id: created.id }, body: { title: "y" } });
    expect(res.status).toBe(403);
  });
});

describe("comments and actor resolution", () => {
  it("a member comments as themself", async () => {
    const { owner, headers } = await ownerWithWorkspace();
    const issue = (await call(createIssue, { path: "/api/issues", session: owner, headers, body: { title: "x" } })).body;
    const res = await call(addComment, { session: owner, headers, params: { id: issue.id }, body: { body: "Looks good" } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ author_type: "member", author_id: owner.user.id, body: "Looks good" });
    expect((await call(addComment, { session: owner, headers, params: { id: issue.id }, body: { body: " " } })).status).toBe(400);
    const list = await call(listComments, { session: owner, headers, params: { id: issue.identifier } });
    expect(list.body.comments).toHaveLength(1);
  });

  it("acts as an agent only with a valid X-Agent-ID of the workspace and, if given, that agent's own task", async () => {
    const { owner, headers } = await ownerWithWorkspace();
    const other = await ownerWithWorkspace();
    const agent = await newAgent(owner, headers);
    const second = await newAgent(owner, headers, { name: "Reviewer" });
    const foreign = await newAgent(other.owner, other.headers);
    const issue = (await call(createIssue, { path: "/api/issues", session: owner, headers, body: { title: "x", assignee_type: "agent", assignee_id: agent.id } })).body;
    const [task] = await tasksOfIssue(issue.id);
    const issue2 = (await call(createIssue, { path: "/api/issues", session: owner, headers, body: { title: "y", assignee_type: "agent", assignee_id: second.id } })).body;
    const [secondTask] = await tasksOfIssue(issue2.id);

    const comment = async (extra: Record<string, string>) =>
      (await call(addComment, { session: owner, headers: { ...headers, ...extra }, params: { id: issue.id }, body: { body: "hi" } })).body;

    expect(await comment({ "x-agent-id": agent.id })).toMatchObject({ author_type: "agent", author_id: agent.id });
    expect(await comment({ "x-agent-id": agent.id, "x-task-id": task!.id })).toMatchObject({ author_type: "agent", author_id: agent.id });
    // Spoofs fall back to the member.
    const asMember = { author_type: "member", author_id: owner.user.id };
    expect(await comment({ "x-agent-id": foreign.id })).toMatchObject(asMember);
    expect(await comment({ "x-agent-id": "not-a-uuid" })).toMatchObject(asMember);
    expect(await comment({ "x-agent-id": agent.id, "x-task-id": secondTask!.id })).toMatchObject(asMember);
    expect(await comment({ "x-agent-id": agent.id, "x-task-id": "00000000-0000-4000-8000-000000000000" })).toMatchObject(asMember);

    // An issue created by an agent: creator is the agent, the event's distinct id is agent:<id>.
    sink.clear();
    const byAgent = await call(createIssue, { path: "/api/issues", session: owner, headers: { ...headers, "x-agent-id": agent.id, "x-task-id": task!.id }, body: { title: "Follow-up" } });
    expect(byAgent.body).toMatchObject({ creator_type: "agent", creator_id: agent.id });
    const [ev] = sink.named("issue_created");
    expect(ev!.distinct_id).toBe(`agent:${agent.id}`);
    expect(ev!.properties).toMatchObject({ agent_id: agent.id, task_id: task!.id });
    expect(ev!.properties.user_id).toBeUndefined();
  });
});
