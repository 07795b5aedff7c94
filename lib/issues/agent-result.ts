import { and, eq, inArray } from "drizzle-orm";
import type { Db, Tx } from "@/lib/db";
import { issueComments, issues } from "@/lib/db/schema";

/** Statuses an agent's completed task moves an issue out of: the work is done, a person reviews it next. */
const BEFORE_REVIEW = ["backlog", "todo", "in_progress"];

/**
 * A completed issue task's answer becomes the agent's comment on the issue, and the issue moves to `in_review`
 * (not `done`: a person accepts an agent's work) — only while the issue is still assigned to that agent and not
 * already in review, done or cancelled. Called inside the completing transaction, so the answer is never lost.
 * (Its own module, importing only the schema, so lib/tasks can use it without a cycle through lib/issues.)
 */
export async function storeIssueResult(db: Db | Tx, task: { issueId: string | null; workspaceId: string; agentId: string; result: unknown }): Promise<void> {
  if (!task.issueId) return;
  const output = (task.result as { output?: unknown } | null)?.output;
  if (typeof output === "string" && output.trim() !== "") {
    await db.insert(issueComments).values({ issueId: task.issueId, workspaceId: task.workspaceId, authorType: "agent", authorId: task.agentId, body: output.slice(0, 100_000) });
  }
  await db
    .update(issues)
    .set({ status: "in_review", updatedAt: new Date() })
    .where(and(eq(issues.id, task.issueId), eq(issues.assigneeType, "agent"), eq(issues.assigneeId, task.agentId), inArray(issues.status, BEFORE_REVIEW)));
}
