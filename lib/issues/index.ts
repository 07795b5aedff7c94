import { and, desc, eq, ilike, inArray, isNull, sql, type SQL } from "drizzle-orm";
import type { Actor } from "@/lib/actor";
import { analyticsActor } from "@/lib/actor";
import type { Membership, Role } from "@/lib/auth";
import { isUuid } from "@/lib/auth";
import type { Db, Tx } from "@/lib/db";
import { agents, issueComments, issues, members, workspaces } from "@/lib/db/schema";
import { badRequest, forbidden, notFound } from "@/lib/http/errors";
import { afterTaskEnqueued, afterTasksCancelled, cancelTasksForIssue, enqueueTask, type Task } from "@/lib/tasks";
import { events, recordEvent, withEvents } from "@/lib/telemetry";
import { finishAutopilotRunForIssue } from "@/lib/autopilots/runs";

export const ISSUE_STATUSES = ["backlog", "todo", "in_progress", "in_review", "done", "cancelled"] as const;
export const ISSUE_PRIORITIES = ["none", "urgent", "high", "medium", "low"] as const;
export const ISSUE_ORIGINS = ["manual", "autopilot", "quick_create", "onboarding"] as const;
export type IssueStatus = (typeof ISSUE_STATUSES)[number];
export type IssuePriority = (typeof ISSUE_PRIORITIES)[number];
export type Issue = typeof issues.$inferSelect;
export type Assignee = { type: "member" | "agent"; id: string };

const IDENTIFIER = /^([A-Za-z][A-Za-z0-9]*)-(\d{1,9})$/;

export function issueResponse(i: Issue, prefix: string) {
  return {
    id: i.id,
    identifier: `${prefix}-${i.number}`,
    number: i.number,
    title: i.title,
    description: i.description,
    status: i.status,
    priority: i.priority,
    creator_type: i.creatorType,
    creator_id: i.creatorId,
    assignee_type: i.assigneeType,
    assignee_id: i.assigneeId,
    origin_type: i.originType,
    origin_id: i.originId,
    first_executed_at: i.firstExecutedAt?.toISOString() ?? null,
    created_at: i.createdAt.toISOString(),
    updated_at: i.updatedAt.toISOString(),
  };
}

/** 400 unless the assignee is a member of the workspace or one of its active agents. */
export async function assertAssignable(db: Db | Tx, workspaceId: string, a: Assignee): Promise<void> {
  if (a.type === "member") {
    const [row] = await db
      .select({ id: members.userId })
      .from(members)
      .where(and(eq(members.workspaceId, workspaceId), eq(members.userId, a.id)));
    if (!row) throw badRequest("assignee_id: not a member of this workspace");
  } else {
    const [row] = await db
      .select({ id: agents.id })
      .from(agents)
      .where(and(eq(agents.workspaceId, workspaceId), eq(agents.id, a.id), isNull(agents.archivedAt)));
    if (!row) throw badRequest("assignee_id: not an active agent of this workspace");
  }
}

/** The next issue number of the workspace; the row lock serialises concurrent creates. */
async function allocateNumber(tx: Tx, workspaceId: string): Promise<number> {
  const [row] = await tx
    .update(workspaces)
    .set({ issueCounter: sql`${workspaces.issueCounter} + 1` })
    .where(eq(workspaces.id, workspaceId))
    .returning({ n: workspaces.issueCounter });
  if (!row) throw notFound("workspace not found");
  return row.n;
}

const taskPrompt = (i: Pick<Issue, "title" | "description">) => (i.description ? `${i.title}\n\n${i.description}` : i.title);

export type NewIssue = {
  title: string;
  description?: string;
  status?: IssueStatus;
  priority?: IssuePriority;
  assignee?: Assignee | null;
  origin?: { type: (typeof ISSUE_ORIGINS)[number]; id?: string | null };
};

/**
 * Inserts an issue inside the caller's transaction: allocates its number and, when it is assigned to an agent,
 * queues the agent's task. Events are the caller's, after commit.
 */
export async function insertIssue(
  tx: Tx,
  workspaceId: string,
  creator: { type: "member" | "agent"; id: string },
  input: NewIssue,
  taskSource: "issue" | "autopilot_issue" = "issue",
  autopilotRunId?: string,
): Promise<{ issue: Issue; task: Task | null }> {
  if (input.assignee) await assertAssignable(tx, workspaceId, input.assignee);
  const number = await allocateNumber(tx, workspaceId);
  const [issue] = await tx
    .insert(issues)
    .values({
      workspaceId,
      number,
      title: input.title,
      description: input.description ?? "",
      status: input.status ?? "backlog",
      priority: input.priority ?? "none",
      assigneeType: input.assignee?.type ?? null,
      assigneeId: input.assignee?.id ?? null,
      creatorType: creator.type,
      creatorId: creator.id,
      originType: input.origin?.type ?? "manual",
      originId: input.origin?.id ?? null,
    })
    .returning();
  let task: Task | null = null;
  if (input.assignee?.type === "agent" && !isClosed(issue!.status)) {
    task = await enqueueTask(tx, {
      workspaceId,
      agentId: input.assignee.id,
      source: taskSource,
      prompt: taskPrompt(issue!),
      issueId: issue!.id,
      autopilotRunId,
    });
  }
  return { issue: issue!, task };
}

/** A done or cancelled issue is closed: it gets no agent task, and cancelling one stops the work on it. */
const isClosed = (status: string) => status === "done" || status === "cancelled";

/** POST /api/issues. */
export async function createIssue(db: Db, m: Membership, actor: Actor, input: NewIssue, platform: string) {
  const { issue } = await withEvents(db, async (tx) => {
    const created = await insertIssue(tx, m.workspace.id, { type: actor.type, id: actor.id }, { ...input, origin: { type: "manual" } });
    recordEvent(
      events.issueCreated({
        creator: analyticsActor(actor),
        workspaceId: m.workspace.id,
        issueId: created.issue.id,
        source: "manual",
        platform,
        // The acting agent's own task (an agent creating issues while it runs).
        taskId: actor.type === "agent" ? actor.taskId : undefined,
      }),
      tx,
    );
    if (created.task) await afterTaskEnqueued(created.task, tx);
    return created;
  });
  return issueResponse(issue, m.workspace.issuePrefix);
}

/** Re-reads the issue under a row lock (`FOR UPDATE`) for the rest of the transaction. */
async function lockIssue(tx: Tx, issue: Issue): Promise<Issue> {
  const [locked] = await tx.select().from(issues).where(eq(issues.id, issue.id)).for("update");
  if (!locked) throw notFound("issue not found");
  return locked;
}

/** A UUID or an identifier like `ENG-42` of this workspace; anything else (another workspace's too) is a 404. */
export async function findIssue(db: Db | Tx, m: Membership, ref: string): Promise<Issue> {
  let where: SQL | undefined;
  if (isUuid(ref)) where = eq(issues.id, ref);
  else {
    const match = IDENTIFIER.exec(ref.trim());
    if (!match || match[1]!.toUpperCase() !== m.workspace.issuePrefix.toUpperCase()) throw notFound("issue not found");
    where = eq(issues.number, Number(match[2]));
  }
  const [issue] = await db
    .select()
    .from(issues)
    .where(and(eq(issues.workspaceId, m.workspace.id), where));
  if (!issue) throw notFound("issue not found");
  return issue;
}

export async function getIssue(db: Db, m: Membership, ref: string) {
  return issueResponse(await findIssue(db, m, ref), m.workspace.issuePrefix);
}

export type IssueFilters = {
  status?: IssueStatus[];
  assigneeId?: string;
  assigneeType?: "member" | "agent";
  q?: string;
  limit: number;
  offset: number;
};

export async function listIssues(db: Db, m: Membership, f: IssueFilters) {
  const conds: SQL[] = [eq(issues.workspaceId, m.workspace.id)];
  if (f.status?.length) conds.push(inArray(issues.status, f.status));
  if (f.assigneeId) conds.push(eq(issues.assigneeId, f.assigneeId));
  if (f.assigneeType) conds.push(eq(issues.assigneeType, f.assigneeType));
  if (f.q) conds.push(ilike(issues.title, `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`));
  const rows = await db
    .select()
    .from(issues)
    .where(and(...conds))
    .orderBy(desc(issues.number))
    .limit(f.limit)
    .offset(f.offset);
  return rows.map((i) => issueResponse(i, m.workspace.issuePrefix));
}

export type IssuePatch = {
  title?: string;
  description?: string;
  status?: IssueStatus;
  priority?: IssuePriority;
  /** null unassigns. */
  assignee?: Assignee | null;
};

const sameAssignee = (i: Issue, a: Assignee | null) =>
  a === null ? i.assigneeId === null : i.assigneeType === a.type && i.assigneeId === a.id;

/**
 * PATCH /api/issues/[id]; a new agent assignee gets a task (unless the issue is closed), and the previous
 * assignee's live tasks are cancelled, as they are when the issue is cancelled. Finishing an autopilot's issue
 * finishes its run.
 */
export async function updateIssue(db: Db, m: Membership, ref: string, patch: IssuePatch) {
  const { issue, task, before, cancelled } = await withEvents(db, async (tx) => {
    // The row lock serialises concurrent PATCHes of one issue, so a reassignment cancels and enqueues as one step;
    // a rejected request rolls back and cancels nothing.
    const before = await lockIssue(tx, await findIssue(tx, m, ref));
    const set: Partial<typeof issues.$inferInsert> = { updatedAt: new Date() };
    if (patch.title !== undefined) set.title = patch.title;
    if (patch.description !== undefined) set.description = patch.description;
    if (patch.status !== undefined) set.status = patch.status;
    if (patch.priority !== undefined) set.priority = patch.priority;
    const reassigned = patch.assignee !== undefined && !sameAssignee(before, patch.assignee);
    const cancelling = patch.status === "cancelled" && before.status !== "cancelled";
    if (reassigned) {
      if (patch.assignee) await assertAssignable(tx, m.workspace.id, patch.assignee);
      set.assigneeType = patch.assignee?.type ?? null;
      set.assigneeId = patch.assignee?.id ?? null;
    }
    const cancelled = reassigned || cancelling ? await cancelTasksForIssue(tx, before.id) : [];
    const [issue] = await tx.update(issues).set(set).where(eq(issues.id, before.id)).returning();
    let task: Task | null = null;
    if (reassigned && patch.assignee?.type === "agent" && !isClosed(issue!.status)) {
      task = await enqueueTask(tx, {
        workspaceId: m.workspace.id,
        agentId: patch.assignee.id,
        source: issue!.originType === "autopilot" ? "autopilot_issue" : "issue",
        prompt: taskPrompt(issue!),
        issueId: issue!.id,
      });
    }
    return { issue: issue!, task, before, cancelled };
  });
  // The issue's own outcome first: a run whose issue was cancelled failed as "issue cancelled", not by its task.
  if (issue.originType === "autopilot" && issue.originId && before.status !== issue.status) {
    if (issue.status === "done") await finishAutopilotRunForIssue(db, issue.originId, "completed");
    else if (issue.status === "cancelled") await finishAutopilotRunForIssue(db, issue.originId, "failed", "issue cancelled");
  }
  await afterTasksCancelled(db, cancelled);
  if (task) await afterTaskEnqueued(task);
  return issueResponse(issue, m.workspace.issuePrefix);
}

const canModerate = (role: Role) => role === "owner" || role === "admin";

/** DELETE: the creator, or an owner/admin. */
export async function deleteIssue(db: Db, m: Membership, ref: string): Promise<void> {
  const issue = await findIssue(db, m, ref);
  const isCreator = issue.creatorType === "member" && issue.creatorId === m.user.id;
  if (!isCreator && !canModerate(m.role)) throw forbidden("only the creator or an owner/admin can delete an issue");
  const cancelled = await withEvents(db, async (tx) => {
    await lockIssue(tx, issue);
    const tasks = await cancelTasksForIssue(tx, issue.id);
    await tx.delete(issues).where(eq(issues.id, issue.id));
    return tasks;
  });
  await afterTasksCancelled(db, cancelled);
  // The run that created this issue can no longer finish through it; left `started`, it would block the autopilot.
  if (issue.originType === "autopilot" && issue.originId) await finishAutopilotRunForIssue(db, issue.originId, "failed", "issue deleted");
}

// ---- comments ----

function commentResponse(c: typeof issueComments.$inferSelect) {
  return {
    id: c.id,
    issue_id: c.issueId,
    author_type: c.authorType,
    author_id: c.authorId,
    body: c.body,
    created_at: c.createdAt.toISOString(),
  };
}

const MAX_LISTED_COMMENTS = 500;

export async function listComments(db: Db, m: Membership, ref: string) {
  const issue = await findIssue(db, m, ref);
  const rows = await db
    .select()
    .from(issueComments)
    .where(eq(issueComments.issueId, issue.id))
    .orderBy(desc(issueComments.createdAt))
    .limit(MAX_LISTED_COMMENTS);
  // The newest MAX_LISTED_COMMENTS, shown oldest first.
  return rows.reverse().map(commentResponse);
}

export async function addComment(db: Db, m: Membership, actor: Actor, ref: string, body: string) {
  const issue = await findIssue(db, m, ref);
  const [c] = await db
    .insert(issueComments)
    .values({ issueId: issue.id, workspaceId: m.workspace.id, authorType: actor.type, authorId: actor.id, body })
    .returning();
  return commentResponse(c!);
}
