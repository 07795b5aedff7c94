import { and, asc, count, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Membership, Role } from "@/lib/auth";
import { isUuid } from "@/lib/auth";
import type { Db, Tx } from "@/lib/db";
import { agents, runtimes, squadMembers, squads, workspaces } from "@/lib/db/schema";
import { badRequest, forbidden, notFound } from "@/lib/http/errors";
import { events, recordEvent, withEvents } from "@/lib/telemetry";
import { afterTasksCancelled, cancelTasksForAgent, moveQueuedTasks } from "@/lib/tasks";

export type Agent = typeof agents.$inferSelect;
type Runtime = typeof runtimes.$inferSelect;

export function agentResponse(a: Agent) {
  return {
    id: a.id,
    name: a.name,
    instructions: a.instructions,
    runtime_id: a.runtimeId,
    template: a.template,
    created_by: a.createdBy,
    archived_at: a.archivedAt?.toISOString() ?? null,
    created_at: a.createdAt.toISOString(),
    updated_at: a.updatedAt.toISOString(),
  };
}

const canModerate = (role: Role) => role === "owner" || role === "admin";

async function workspaceRuntime(db: Db | Tx, workspaceId: string, runtimeId: string): Promise<Runtime> {
  const [rt] = await db
    .select()
    .from(runtimes)
    .where(and(eq(runtimes.id, runtimeId), eq(runtimes.workspaceId, workspaceId)));
  if (!rt) throw badRequest("runtime_id: no such runtime in this workspace");
  return rt;
}

/** An active or archived agent of this workspace; another workspace's agent is a 404. */
export async function findAgent(db: Db | Tx, workspaceId: string, id: string): Promise<Agent> {
  if (!isUuid(id)) throw notFound("agent not found");
  const [a] = await db
    .select()
    .from(agents)
    .where(and(eq(agents.id, id), eq(agents.workspaceId, workspaceId)));
  if (!a) throw notFound("agent not found");
  return a;
}

export async function createAgent(
  db: Db,
  m: Membership,
  input: { name: string; instructions?: string; runtimeId?: string | null; template?: string | null },
) {
  const { agent } = await withEvents(db, async (tx) => {
    // Lock the workspace row so two concurrent first agents cannot both count zero before them.
    await tx.execute(sql`select 1 from ${workspaces} where ${workspaces.id} = ${m.workspace.id} for update`);
    const runtime = input.runtimeId ? await workspaceRuntime(tx, m.workspace.id, input.runtimeId) : null;
    const [{ n }] = (await tx.select({ n: count() }).from(agents).where(eq(agents.workspaceId, m.workspace.id))) as [{ n: number }];
    const [agent] = await tx
      .insert(agents)
      .values({
        workspaceId: m.workspace.id,
        name: input.name,
        instructions: input.instructions ?? "",
        runtimeId: runtime?.id ?? null,
        template: input.template ?? null,
        createdBy: m.user.id,
      })
      .returning();
    recordEvent(
      events.agentCreated({
        userId: m.user.id,
        workspaceId: m.workspace.id,
        agentId: agent!.id,
        provider: runtime?.provider ?? "",
        runtimeMode: runtime?.runtimeMode ?? "",
        template: agent!.template ?? "",
        isFirstAgentInWorkspace: Number(n) === 0,
      }),
      tx,
    );
    return { agent: agent! };
  });
  return agentResponse(agent);
}

export async function listAgents(db: Db, m: Membership, opts: { includeArchived?: boolean } = {}) {
  const rows = await db
    .select()
    .from(agents)
    .where(and(eq(agents.workspaceId, m.workspace.id), opts.includeArchived ? undefined : isNull(agents.archivedAt)))
    .orderBy(asc(agents.createdAt));
  return rows.map(agentResponse);
}

export async function getAgent(db: Db, m: Membership, id: string) {
  return agentResponse(await findAgent(db, m.workspace.id, id));
}

function assertCanManage(m: Membership, a: Agent) {
  if (a.createdBy !== m.user.id && !canModerate(m.role)) throw forbidden("only the agent's creator or an owner/admin can change it");
}

export async function updateAgent(
  db: Db,
  m: Membership,
  id: string,
  patch: { name?: string; instructions?: string; runtimeId?: string | null },
) {
  const agent = await findAgent(db, m.workspace.id, id);
  assertCanManage(m, agent);
  if (agent.archivedAt) throw badRequest("agent is archived");
  const set: Partial<typeof agents.$inferInsert> = { updatedAt: new Date() };
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.instructions !== undefined) set.instructions = patch.instructions;
  if (patch.runtimeId !== undefined) set.runtimeId = patch.runtimeId ? (await workspaceRuntime(db, m.workspace.id, patch.runtimeId)).id : null;
  const updated = await db.transaction(async (tx) => {
    const [a] = await tx.update(agents).set(set).where(eq(agents.id, agent.id)).returning();
    // The issue page tells the user to give a waiting agent another runtime: its queued tasks go along.
    if (set.runtimeId !== undefined && set.runtimeId !== agent.runtimeId) await moveQueuedTasks(tx, agent.id, set.runtimeId);
    return a!;
  });
  return agentResponse(updated);
}

/**
 * Archiving keeps the row (issues and tasks still point at it) but takes the agent out of pickers and stops its
 * work: its queued and running tasks are cancelled (a daemon's next call about one gets a 409). Idempotent.
 */
export async function archiveAgent(db: Db, m: Membership, id: string) {
  const agent = await findAgent(db, m.workspace.id, id);
  assertCanManage(m, agent);
  const { updated, cancelled } = await withEvents(db, async (tx) => {
    const [updated] = await tx
      .update(agents)
      .set({ archivedAt: sql`coalesce(${agents.archivedAt}, now())`, updatedAt: new Date() })
      .where(eq(agents.id, agent.id))
      .returning();
    return { updated: updated!, cancelled: await cancelTasksForAgent(tx, agent.id) };
  });
  await afterTasksCancelled(db, cancelled);
  return agentResponse(updated);
}

// ---- squads ----

type Squad = typeof squads.$inferSelect;

function squadResponse(s: Squad, memberIds: string[]) {
  return {
    id: s.id,
    name: s.name,
    leader_id: s.leaderId,
    member_ids: memberIds,
    created_by: s.createdBy,
    created_at: s.createdAt.toISOString(),
  };
}

/** 400 unless every id is an active agent of the workspace. */
async function assertActiveAgents(db: Db | Tx, workspaceId: string, ids: string[], field: string) {
  if (ids.length === 0) return;
  if (!ids.every(isUuid)) throw badRequest(`${field}: not an agent of this workspace`);
  const rows = await db
    .select({ id: agents.id })
    .from(agents)
    .where(and(eq(agents.workspaceId, workspaceId), inArray(agents.id, ids), isNull(agents.archivedAt)));
  if (rows.length !== new Set(ids).size) throw badRequest(`${field}: not an active agent of this workspace`);
}

/** The leader is a member too: `member_count` counts every distinct agent of the squad. */
export async function createSquad(db: Db, m: Membership, input: { name: string; leaderId: string; memberIds?: string[] }) {
  const memberIds = [...new Set([input.leaderId, ...(input.memberIds ?? [])])];
  await assertActiveAgents(db, m.workspace.id, [input.leaderId], "leader_id");
  await assertActiveAgents(db, m.workspace.id, memberIds, "member_ids");
  const squad = await withEvents(db, async (tx) => {
    const [s] = await tx
      .insert(squads)
      .values({ workspaceId: m.workspace.id, name: input.name, leaderId: input.leaderId, createdBy: m.user.id })
      .returning();
    await tx.insert(squadMembers).values(memberIds.map((agentId) => ({ squadId: s!.id, agentId })));
    recordEvent(events.squadCreated({ userId: m.user.id, workspaceId: m.workspace.id, squadId: s!.id, memberCount: memberIds.length }), tx);
    return s!;
  });
  return squadResponse(squad, memberIds);
}

async function membersOf(db: Db, squadIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (squadIds.length === 0) return out;
  const rows = await db.select().from(squadMembers).where(inArray(squadMembers.squadId, squadIds));
  for (const r of rows) out.set(r.squadId, [...(out.get(r.squadId) ?? []), r.agentId]);
  return out;
}

export async function findSquad(db: Db | Tx, workspaceId: string, id: string): Promise<Squad> {
  if (!isUuid(id)) throw notFound("squad not found");
  const [s] = await db
    .select()
    .from(squads)
    .where(and(eq(squads.id, id), eq(squads.workspaceId, workspaceId)));
  if (!s) throw notFound("squad not found");
  return s;
}

export async function listSquads(db: Db, m: Membership) {
  const rows = await db.select().from(squads).where(eq(squads.workspaceId, m.workspace.id)).orderBy(asc(squads.createdAt));
  const byId = await membersOf(db, rows.map((s) => s.id));
  return rows.map((s) => squadResponse(s, byId.get(s.id) ?? []));
}

export async function getSquad(db: Db, m: Membership, id: string) {
  const s = await findSquad(db, m.workspace.id, id);
  return squadResponse(s, (await membersOf(db, [s.id])).get(s.id) ?? []);
}

/** Renames a squad and/or replaces its leader and members (the leader stays a member). Creator or owner/admin. */
export async function updateSquad(db: Db, m: Membership, id: string, patch: { name?: string; leaderId?: string; memberIds?: string[] }) {
  const s = await findSquad(db, m.workspace.id, id);
  if (s.createdBy !== m.user.id && !canModerate(m.role)) throw forbidden("only the squad's creator or an owner/admin can change it");
  const leaderId = patch.leaderId ?? s.leaderId;
  const current = (await membersOf(db, [s.id])).get(s.id) ?? [];
  const memberIds = [...new Set([leaderId, ...(patch.memberIds ?? current.filter((a) => a !== s.leaderId))])];
  if (patch.leaderId) await assertActiveAgents(db, m.workspace.id, [leaderId], "leader_id");
  if (patch.memberIds) await assertActiveAgents(db, m.workspace.id, memberIds, "member_ids");
  const updated = await db.transaction(async (tx) => {
    const [u] = await tx
      .update(squads)
      .set({ name: patch.name ?? s.name, leaderId })
      .where(eq(squads.id, s.id))
      .returning();
    if (patch.leaderId || patch.memberIds) {
      await tx.delete(squadMembers).where(eq(squadMembers.squadId, s.id));
      await tx.insert(squadMembers).values(memberIds.map((agentId) => ({ squadId: s.id, agentId })));
    }
    return u!;
  });
  return squadResponse(updated, patch.leaderId || patch.memberIds ? memberIds : current);
}

export async function deleteSquad(db: Db, m: Membership, id: string): Promise<void> {
  const s = await findSquad(db, m.workspace.id, id);
  if (s.createdBy !== m.user.id && !canModerate(m.role)) throw forbidden("only the squad's creator or an owner/admin can delete it");
  await db.delete(squads).where(eq(squads.id, s.id));
}
