import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { GET as listAgents, POST as createAgent } from "@/app/api/agents/route";
import { DELETE as archiveAgent, GET as getAgent, PATCH as patchAgent } from "@/app/api/agents/[id]/route";
import { GET as listSquads, POST as createSquad } from "@/app/api/squads/route";
import { DELETE as deleteSquad, GET as getSquad, PATCH as patchSquad } from "@/app/api/squads/[id]/route";
import { POST as createIssue } from "@/app/api/issues/route";
import { getDb } from "@/lib/db";
import { agentTasks } from "@/lib/db/schema";
import { call } from "./helpers/api";
import { captureEvents, metricValue } from "./helpers/telemetry";
import { addMember, ownerWithWorkspace } from "./helpers/workspace";
import { insertRuntime, newAgent } from "./helpers/work";

process.env.RATE_LIMIT_SEND_CODE_IP = "100000";

const sink = captureEvents();

describe("POST /api/agents", () => {
  it("a template is an id, not free text", async () => {
    const { owner, headers } = await ownerWithWorkspace();
    const res = await call(createAgent, { path: "/api/agents", session: owner, headers, body: { name: "X", template: "my secret plan for acme@corp.com" } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/template/);
  });

  it("creates an agent bound to a runtime; agent_created carries provider, runtime_mode, template, first-agent flag", async () => {
    const { owner, workspace, headers } = await ownerWithWorkspace();
    const rt = await insertRuntime(workspace.id, { provider: "codex", mode: "local" });
    const before = await metricValue("tandem_agent_created_total", { runtime_mode: "local", source: "manual" });
    const res = await call(createAgent, { path: "/api/agents", session: owner, headers, body: { name: " Builder ", instructions: "Build things", runtime_id: rt.id, template: "coder" } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: "Builder", instructions: "Build things", runtime_id: rt.id, template: "coder", created_by: owner.user.id, archived_at: null });
    const second = await call(createAgent, { path: "/api/agents", session: owner, headers, body: { name: "Unbound" } });
    expect(second.body.runtime_id).toBeNull();

    const [first, next] = sink.named("agent_created");
    expect(first!.distinct_id).toBe(owner.user.id);
    expect(first!.properties).toMatchObject({ agent_id: res.body.id, provider: "codex", runtime_mode: "local", template: "coder", is_first_agent_in_workspace: true, source: "manual", workspace_id: workspace.id });
    expect(next!.properties).toMatchObject({ is_first_agent_in_workspace: false, template: "" });
    expect(await metricValue("tandem_agent_created_total", { runtime_mode: "local", source: "manual" })).toBe(before + 1);
    expect(await metricValue("tandem_agent_created_total", { runtime_mode: "unknown", source: "manual" })).toBeGreaterThanOrEqual(1);
  });

  it("marks exactly one of several concurrent first agents as the first", async () => {
    const { owner, headers } = await ownerWithWorkspace();
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => call(createAgent, { path: "/api/agents", session: owner, headers, body: { name: `A${i}` } })));
    expect(results.every((r) => r.status === 201)).toBe(true);
    const firsts = sink.named("agent_created").filter((e) => e.properties.is_first_agent_in_workspace === true);
    expect(firsts).toHaveLength(1);
  });

  it("validates the body and the runtime's workspace", async () => {
    const { owner, headers } = await ownerWithWorkspace();
    const other = await ownerWithWorkspace();
    const foreignRt = await insertRuntime(other.workspace.id);
    for (const [body, field] of [
      [{}, /name/],
      [{ name: "x".repeat(101) }, /name/],
      [{ name: "x", runtime_id: "nope" }, /runtime_id/],
      [{ name: "x", runtime_id: foreignRt.id }, /runtime_id/],
    ] as const) {
      const res = await call(createAgent, { path: "/api/agents", session: owner, headers, body });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(field);
    }
    expect(sink.named("agent_created")).toHaveLength(0);
  });
});

describe("agents: read, update, archive", () => {
  it("another workspace's agent is a 404 everywhere", async () => {
    const a = await ownerWithWorkspace();
    const b = await ownerWithWorkspace();
    const agent = await newAgent(a.owner, a.headers);
    const opts = { session: b.owner, headers: b.headers, params: { id: agent.id } };
    expect((await call(getAgent, opts)).status).toBe(404);
    expect((await call(patchAgent, { ...opts, method: "PATCH", body: { name: "x" } })).status).toBe(404);
    expect((await call(archiveAgent, { ...opts, method: "DELETE" })).status).toBe(404);
    expect((await call(listAgents, { path: "/api/agents", session: b.owner, headers: b.headers })).body.agents).toEqual([]);
  });

  it("the creator or an owner/admin may change or archive; archived agents leave the list and cannot be assigned", async () => {
    const { owner, workspace, headers } = await ownerWithWorkspace();
    const member = await addMember(workspace.id, "member");
    const other = await addMember(workspace.id, "member");
    const agent = await newAgent(member, headers);
    const params = { id: agent.id };
    expect((await call(patchAgent, { method: "PATCH", session: other, headers, params, body: { name: "Mine now" } })).status).toBe(403);
    expect((await call(archiveAgent, { method: "DELETE", session: other, headers, params })).status).toBe(403);
    const renamed = await call(patchAgent, { method: "PATCH", session: member, headers, params, body: { name: "Renamed", instructions: "Be brief" } });
    expect(renamed.body).toMatchObject({ name: "Renamed", instructions: "Be brief" });
    const archived = await call(archiveAgent, { method: "DELETE", session: owner, headers, params });
    expect(archived.status).toBe(200);
    expect(archived.body.archived_at).toEqual(expect.any(String));
    expect((await call(listAgents, { path: "/api/agents", session: owner, headers })).body.agents).toEqual([]);
    expect((await call(listAgents, { path: "/api/agents?include_archived=true", session: owner, headers })).body.agents).toHaveLength(1);
    const assign = await call(createIssue, { path: "/api/issues", session: owner, headers, body: { title: "x", assignee_type: "agent", assignee_id: agent.id } });
    expect(assign.status).toBe(400);
  });

  it("archiving cancels the agent's live tasks, once", async () => {
    const { owner, workspace, headers } = await ownerWithWorkspace();
    const agent = await newAgent(owner, headers, { runtime_id: (await insertRuntime(workspace.id)).id });
    const issue = await call(createIssue, { path: "/api/issues", session: owner, headers, body: { title: "Queued", assignee_type: "agent", assignee_id: agent.id } });
    const params = { id: agent.id };
    expect((await call(archiveAgent, { method: "DELETE", session: owner, headers, params })).status).toBe(200);
    const tasks = await (await getDb()).select().from(agentTasks).where(eq(agentTasks.issueId, issue.body.id));
    expect(tasks.map((t) => t.status)).toEqual(["cancelled"]);
    expect(sink.named("agent_task_cancelled")).toHaveLength(1);
    expect((await call(archiveAgent, { method: "DELETE", session: owner, headers, params })).status).toBe(200);
    expect(sink.named("agent_task_cancelled")).toHaveLength(1);
  });
});

describe("squads", () => {
  it("creates a squad with a leader and members; squad_created has the real member_count", async () => {
    const { owner, workspace, headers } = await ownerWithWorkspace();
    const [lead, m1, m2] = [await newAgent(owner, headers), await newAgent(owner, headers), await newAgent(owner, headers)];
    const before = await metricValue("tandem_squad_created_total");
    const res = await call(createSquad, { path: "/api/squads", session: owner, headers, body: { name: "Core", leader_id: lead.id, member_ids: [m1.id, m2.id, lead.id] } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: "Core", leader_id: lead.id });
    expect(new Set(res.body.member_ids)).toEqual(new Set([lead.id, m1.id, m2.id]));
    const [ev] = sink.named("squad_created");
    expect(ev!.properties).toMatchObject({ squad_id: res.body.id, member_count: 3, workspace_id: workspace.id });
    expect(await metricValue("tandem_squad_created_total")).toBe(before + 1);

    const solo = await call(createSquad, { path: "/api/squads", session: owner, headers, body: { name: "Solo", leader_id: lead.id } });
    expect(sink.named("squad_created")[1]!.properties.member_count).toBe(1);
    expect((await call(listSquads, { path: "/api/squads", session: owner, headers })).body.squads).toHaveLength(2);
    expect((await call(getSquad, { session: owner, headers, params: { id: solo.body.id } })).body.member_ids).toEqual([lead.id]);
  });

  it("refuses agents of another workspace and hides squads across workspaces; delete needs creator or owner/admin", async () => {
    const a = await ownerWithWorkspace();
    const b = await ownerWithWorkspace();
    const lead = await newAgent(a.owner, a.headers);
    const foreign = await newAgent(b.owner, b.headers);
    const bad = await call(createSquad, { path: "/api/squads", session: a.owner, headers: a.headers, body: { name: "X", leader_id: foreign.id } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/leader_id/);
    const badMember = await call(createSquad, { path: "/api/squads", session: a.owner, headers: a.headers, body: { name: "X", leader_id: lead.id, member_ids: [foreign.id] } });
    expect(badMember.status).toBe(400);
    expect((await call(createSquad, { path: "/api/squads", session: a.owner, headers: a.headers, body: { name: "", leader_id: lead.id } })).status).toBe(400);
    expect(sink.named("squad_created")).toHaveLength(0);

    const squad = (await call(createSquad, { path: "/api/squads", session: a.owner, headers: a.headers, body: { name: "X", leader_id: lead.id } })).body;
    expect((await call(getSquad, { session: b.owner, headers: b.headers, params: { id: squad.id } })).status).toBe(404);
    expect((await call(deleteSquad, { method: "DELETE", session: b.owner, headers: b.headers, params: { id: squad.id } })).status).toBe(404);
    const member = await addMember(a.workspace.id, "member");
    expect((await call(deleteSquad, { method: "DELETE", session: member, headers: a.headers, params: { id: squad.id } })).status).toBe(403);
    expect((await call(deleteSquad, { method: "DELETE", session: a.owner, headers: a.headers, params: { id: squad.id } })).status).toBe(204);
  });

  it("a patch with nothing to change is a 400 that names the fields, as on every other update route", async () => {
    const { owner, headers } = await ownerWithWorkspace();
    const lead = await newAgent(owner, headers);
    const squad = (await call(createSquad, { path: "/api/squads", session: owner, headers, body: { name: "Core", leader_id: lead.id } })).body;
    const res = await call(patchSquad, { method: "PATCH", session: owner, headers, params: { id: squad.id }, body: {} });
    expect(res).toMatchObject({ status: 400, body: { error: "nothing to update: send at least one of name, leader_id, member_ids" } });
    const renamed = await call(patchSquad, { method: "PATCH", session: owner, headers, params: { id: squad.id }, body: { name: "Renamed" } });
    expect(renamed).toMatchObject({ status: 200, body: { name: "Renamed", leader_id: lead.id } });
  });
});
