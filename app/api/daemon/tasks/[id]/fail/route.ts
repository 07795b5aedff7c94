import { z } from "zod";
import { getDb } from "@/lib/db";
import { json, readJson, route } from "@/lib/http";
import { idParam, requireDaemon } from "@/lib/runtimes";
import { failTask } from "@/lib/tasks";

const body = z.object({
  error: z.string().max(64_000).optional(),
  failure_reason: z.string().trim().max(200).optional(),
});

export const POST = route("/api/daemon/tasks/[id]/fail", async (req, { id }) => {
  const db = await getDb();
  const who = await requireDaemon(req, db, "task_fail");
  const input = await readJson(req, body, 128 * 1024);
  return json({ task: await failTask(db, who, idParam(id, "task"), input) });
});
