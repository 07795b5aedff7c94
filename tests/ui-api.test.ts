/**
 * The API behind issue 17's screens, on a real database: a completed issue task's answer becomes the agent's comment
 * and the issue moves to in_review (same events as before, nothing new); a queued task says why it waits; squads can
 * be edited; sent invitations are listed for owners/admins only.
 */
import { randomUUID } from "node:crypto";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as createIssue } from "@/app/api/issues/route";
import { GET as getIssue } from "@/app/api/issues/[id]/route";
import { GET as listComments } from "@/app/api/issues/[id]/comments/route";
import { PATCH as patchAgent } from "@/app/api/agents/[id]/route";
import { POST as register } from "@/app/api/daemon/register/route";
import { POST as claim } from "@/app/api/daemon/runtimes/[id]/tasks/claim/route";
import { POST as start } from "@/app/api/daemon/tasks/[id]/start/route";
import { POST as complete } from "@/app/api/daemon/tasks/[id]/complete/route";
import { GET as issueTasks } from "@/app/api/runtimes/tasks/route";
import { POST as createSquad } from "@/app/api/squads/route";
import { PATCH as patchSquad } from "@/app/api/squads/[id]/route";
import { GET as listInvitations, POST as invite } from "@/app/api/workspaces/[id]/invitations/route";
import { MemorySink, setSinkForTests } from "@/lib/telemetry";
import { call } from "./helpers/api";
import { bearer, daemonTokenFor } from "./helpers/daemon";
import { addMember, ownerWithWorkspace } from "./helpers/workspace";
import { newAgent } from "./helpers/work";

let sink: MemorySink;
beforeAll(() => {
  sink = new MemorySink();
  setSinkForTests(sink);
});
beforeEach(() => sink.clear());

describe("an agent's completed issue task", () => {
  it("waits with a reason, then its answer becomes a comment and the issue moves to in_review — with the same events as before", async () => {
    const ctx = await ownerWithWorkspace();
    const token = await daemonTokenFor(ctx.owner, ctx.workspace.id);
    const agent = await newAgent(ctx.owner, ctx.headers, { name: "Scribe" });
    const issue = await call(createIssue, { path: "/api/issues", session: ctx.owner, headers: ctx.headers, body: { title: "Write it", assignee_type: "agent", assignee_id: agent.id } });
    expect(issue.status).toBe(201);
    const tasks = () => call(issueTasks, { path: `/api/runtimes/tasks?issue_id=${issue.body.id}`, session: ctx.owner, headers: ctx.headers });
    expect((await tasks()).body.waiting).toMatchObject({ reason: "no_runtime", agent_name: "Scribe" });

    const reg = await call(register, {
      path: "/api/daemon/register",
      headers: bearer(token),
      body: { workspace_id: ctx.workspace.id, daemon_id: `d-${randomUUID()}`, runtimes: [{ name: "Echo", provider: "echo", status: "offline" }] },
    });
    const rt = reg.body.runtimes[0] as { id: string };
    expect((await call(patchAgent, { path: `/api/agents/${agent.id}`, method: "PATCH", session: ctx.owner, headers: ctx.headers, params: { id: agent.id }, body: { runtime_id: rt.id } })).status).toBe(200);
    expect((await tasks()).body.waiting).toMatchObject({ reason: "runtime_offline", runtime_name: "Echo" });
    await call(register, {
      path: "/api/daemon/register",
      headers: bearer(token),
      body: { workspace_id: ctx.workspace.id, daemon_id: `d-${randomUUID()}`, runtimes: [{ name: "Echo", provider: "echo", status: "online" }] },
    });

    const claimed = await call(claim, { path: `/api/daemon/runtimes/${rt.id}/tasks/claim`, method: "POST", headers: bearer(token), params: { id: rt.id } });
    const taskId = claimed.body.task.id as string;
    await call(start, { path: `/api/daemon/tasks/${taskId}/start`, body: {}, headers: bearer(token), params: { id: taskId } });
    sink.clear();
    const done = await call(complete, { path: `/api/daemon/tasks/${taskId}/complete`, body: { result: { output: "All **done**." } }, headers: bearer(token), params: { id: taskId } });
    expect(done.status).toBe(200);
    // A repeated completion changes nothing (no second comment).
    await call(complete, { path: `/api/daemon/tasks/${taskId}/complete`, body: { result: { output: "All **done**." } }, headers: bearer(token), params: { id: taskId } });

    const after = await call(getIssue, { path: `/api/issues/${issue.body.id}`, session: ctx.owner, headers: ctx.headers, params: { id: issue.body.id } });
    expect(after.body.status).toBe("in_review");
    const comments = await call(listComments, { path: `/api/issues/${issue.body.id}/comments`, session: ctx.owner, headers: ctx.headers, params: { id: issue.body.id } });
    const list = (comments.body.comments ?? comments.body) as { author_type: string; author_id: string; body: string }[];
    expect(list).toEqual([expect.objectContaining({ author_type: "agent", author_id: agent.id, body: "All **done**." })]);
    expect(sink.events.map((e) => e.name).sort()).toEqual(["agent_task_completed", "issue_executed"]);
    expect((await tasks()).body.waiting).toBeNull();
  });

  it("another workspace's issue, or none, is a 404 (not an empty list)", async () => {
    const ours = await ownerWithWorkspace();
    const theirs = await ownerWithWorkspace();
    const foreign = await call(createIssue, { path: "/api/issues", session: theirs.owner, headers: theirs.headers, body: { title: "Theirs" } });
    for (const id of [foreign.body.id as string, randomUUID()]) {
      const res = await call(issueTasks, { path: `/api/runtimes/tasks?issue_id=${id}`, session: ours.owner, headers: ours.headers });
      expect(res.status).toBe(404);
      expect(res.body.error).toBe("issue not found");
    }
  });
});

describe("PATCH /api/squads/[id]", () => {
  it("renames and re-staffs a squad; validates; only the creator or an owner/admin; another workspace's is a 404", async () => {
    const ctx = await ownerWithWorkspace();
    const [a, b, c] = [await newAgent(ctx.owner, ctx.headers, { name: "A" }), await newAgent(ctx.owner, ctx.headers, { name: "B" }), await newAgent(ctx.owner, ctx.headers, { name: "C" })];
    const squad = await call(createSquad, { path: "/api/squads", session: ctx.owner, headers: ctx.headers, body: { name: "Crew", leader_id: a.id, member_ids: [b.id] } });
    const id = squad.body.id as string;
    const patch = (body: unknown, session: NonNullable<Parameters<typeof call>[1]>["session"] = ctx.owner, headers = ctx.headers) => call(patchSquad, { path: `/api/squads/${id}`, method: "PATCH", session, headers, params: { id }, body });

    const renamed = await patch({ name: "Day Crew" });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: "Day Crew", leader_id: a.id });
    expect([...renamed.body.member_ids].sort()).toEqual([a.id, b.id].sort());
    const restaffed = await patch({ leader_id: c.id, member_ids: [a.id] });
    expect(restaffed.body.leader_id).toBe(c.id);
    expect([...restaffed.body.member_ids].sort()).toEqual([a.id, c.id].sort());

    expect((await patch({ name: " " })).status).toBe(400);
    expect((await patch({ leader_id: "nope" })).body.error).toMatch(/leader_id/);
    expect((await patch({ member_ids: [randomUUID()] })).status).toBe(400);
    const member = await addMember(ctx.workspace.id);
    expect((await patch({ name: "Mine" }, member)).status).toBe(403);
    const other = await ownerWithWorkspace();
    expect((await patch({ name: "Theirs" }, other.owner, other.headers)).status).toBe(404);
  });
});

describe("GET /api/workspaces/[id]/invitations", () => {
  it("lists sent invitations to owners and admins, not to members", async () => {
    const ctx = await ownerWithWorkspace();
    const path = `/api/workspaces/${ctx.workspace.id}/invitations`;
    const email = `guest-${randomUUID().slice(0, 8)}@example.com`;
    expect((await call(invite, { path, session: ctx.owner, params: { id: ctx.workspace.id }, body: { email } })).status).toBe(201);
    const listed = await call(listInvitations, { path, session: ctx.owner, params: { id: ctx.workspace.id } });
    expect(listed.status).toBe(200);
    expect(listed.body.invitations).toEqual([expect.objectContaining({ email, role: "member", status: "pending" })]);
    const member = await addMember(ctx.workspace.id);
    expect((await call(listInvitations, { path, session: member, params: { id: ctx.workspace.id } })).status).toBe(403);
  });
});
