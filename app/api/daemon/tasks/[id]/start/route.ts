import { getDb } from "@/lib/db";
import { json, route } from "@/lib/http";
import { idParam, requireDaemon } from "@/lib/runtimes";
import { startTask } from "@/lib/tasks";

export const POST = route("/api/daemon/tasks/[id]/start", async (req, { id }) => {
  const db = await getDb();
  const who = await requireDaemon(req, db, "task_start");
  return json({ task: await startTask(db, who, idParam(id, "task")) });
});
