import { z } from "zod";
import { getDb } from "@/lib/db";
import { json, readJson, route } from "@/lib/http";
import { idParam, requireDaemon } from "@/lib/runtimes";
import { completeTask } from "@/lib/tasks";

const body = z.object({ result: z.unknown().optional() });

export const POST = route("/api/daemon/tasks/[id]/complete", async (req, { id }) => {
  const db = await getDb();
  const who = await requireDaemon(req, db, "task_complete");
  const { result } = await readJson(req, body, 256 * 1024);
  return json({ task: await completeTask(db, who, idParam(id, "task"), result ?? null) });
});
