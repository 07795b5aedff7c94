import { z } from "zod";
import { getDb } from "@/lib/db";
import { json, readJson, requiredString, route } from "@/lib/http";
import { idParam, requireDaemon } from "@/lib/runtimes";
import { addTaskMessages } from "@/lib/tasks";

const body = z.object({ summary: requiredString("summary").trim().min(1, "summary is required").max(2000) });

export const POST = route("/api/daemon/tasks/[id]/progress", async (req, { id }) => {
  const db = await getDb();
  const who = await requireDaemon(req, db, "task_progress");
  const { summary } = await readJson(req, body, 8 * 1024);
  return json(await addTaskMessages(db, who, idParam(id, "task"), "progress", [summary]));
});
