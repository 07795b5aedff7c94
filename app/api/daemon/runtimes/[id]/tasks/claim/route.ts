import { getDb } from "@/lib/db";
import { json, noContent, route } from "@/lib/http";
import { idParam, requireDaemon } from "@/lib/runtimes";
import { claimTask } from "@/lib/tasks";

export const POST = route("/api/daemon/runtimes/[id]/tasks/claim", async (req, { id }) => {
  const db = await getDb();
  const who = await requireDaemon(req, db, "task_claim");
  const task = await claimTask(db, who, idParam(id, "runtime"));
  return task ? json({ task }) : noContent();
});
