import { requireUser, requireWorkspace } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { badRequest, json, route } from "@/lib/http";
import { listIssueTasks, listTaskMessages, taskWaitReason } from "@/lib/tasks";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The tasks of one issue (newest first) with the latest one's messages (and why it waits, if queued): the issue page's task panel. */
export const GET = route("/api/runtimes/tasks", async (req) => {
  const principal = await requireUser(req);
  const db = await getDb();
  const m = await requireWorkspace(req, principal, db);
  const issueId = new URL(req.url).searchParams.get("issue_id") ?? "";
  if (!UUID.test(issueId)) throw badRequest("issue_id must be a UUID");
  const tasks = await listIssueTasks(db, m.workspace.id, issueId);
  const latest = tasks[0];
  const messages = latest ? await listTaskMessages(db, latest.id) : [];
  // A queued task says why it waits (no runtime / runtime offline / about to be claimed), so the page can say how to fix it.
  const waiting = latest?.status === "queued" ? await taskWaitReason(db, latest) : null;
  return json({ tasks, messages, waiting });
});
