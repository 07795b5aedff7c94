import { and, count, desc, eq, inArray, isNull, notInArray } from "drizzle-orm";
import type { Db } from "@/lib/db";
import { agents, agentTasks, invitations, issues, members, runtimes } from "@/lib/db/schema";

/**
 * What the workspace home shows: open issues (newest first), agents with a live task (and the issue or chat it is
 * for), and the counts behind the getting-started checklist. Read-only; one round of small indexed queries.
 */
export async function workspaceOverview(db: Db, workspaceId: string) {
  const open = and(eq(issues.workspaceId, workspaceId), notInArray(issues.status, ["done", "cancelled"]));
  const [openIssues, [openCount], working, [rt], [ag], [is], [mem], [inv]] = await Promise.all([
    db.select().from(issues).where(open).orderBy(desc(issues.updatedAt)).limit(8),
    db.select({ n: count() }).from(issues).where(open),
    db
      .select({
        agentId: agents.id,
        agentName: agents.name,
        status: agentTasks.status,
        issueNumber: issues.number,
        issueTitle: issues.title,
        chatSessionId: agentTasks.chatSessionId,
        startedAt: agentTasks.startedAt,
        createdAt: agentTasks.createdAt,
      })
      .from(agentTasks)
      .innerJoin(agents, eq(agents.id, agentTasks.agentId))
      .leftJoin(issues, eq(issues.id, agentTasks.issueId))
      .where(and(eq(agentTasks.workspaceId, workspaceId), inArray(agentTasks.status, ["queued", "dispatched", "running"])))
      .orderBy(desc(agentTasks.createdAt))
      .limit(10),
    db.select({ n: count() }).from(runtimes).where(eq(runtimes.workspaceId, workspaceId)),
    db.select({ n: count() }).from(agents).where(and(eq(agents.workspaceId, workspaceId), isNull(agents.archivedAt))),
    db.select({ n: count() }).from(issues).where(eq(issues.workspaceId, workspaceId)),
    db.select({ n: count() }).from(members).where(eq(members.workspaceId, workspaceId)),
    db.select({ n: count() }).from(invitations).where(eq(invitations.workspaceId, workspaceId)),
  ]);
  return {
    openIssues,
    openCount: openCount?.n ?? 0,
    working,
    checklist: {
      runtime: (rt?.n ?? 0) > 0,
      agent: (ag?.n ?? 0) > 0,
      issue: (is?.n ?? 0) > 0,
      team: (mem?.n ?? 0) > 1 || (inv?.n ?? 0) > 0,
    },
  };
}
