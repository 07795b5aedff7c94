import { requireUser, requireWorkspace } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { badRequest, json, route } from "@/lib/http";
import { findIssue } from "@/lib/issues";
import { isUuid } from "@/lib/http/text";
import { listIssueTasks, listTaskMessages, taskWaitReason } from "@/lib/tasks";

/** The tasks of one issue (newest first) with the latest one's messages (and why it waits, if queued): the issue page's task panel. */
export const GET = route("/api/runtimes/tasks", async (req) => {
  const principal = await requireUser(req);
  const db = await getDb();
  const m = await requireWorkspace(req, principal, db);
  const issueId = new URL(req.url).searchParams.get("issue_id") ?? "";
  if (!isUuid(issueId)) throw badRequest("issue_id must be a UUID");
  const issue = await findIssue(db, m, issueId); // another workspace's issue, or none: 404
  const tasks = await listIssueTasks(db, m.workspace.id, issue.id);
  const latest = tasks[0];
  const messages = latest ? await listTaskMessages(db, latest.id) : [];
  // A queued task says why it waits (no runtime / runtime offline / about to be claimed), so the page can say how to fix it.
  const waiting = latest?.status === "queued" ? await taskWaitReason(db, latest) : null;
  return json({ tasks, messages, waiting });
});
