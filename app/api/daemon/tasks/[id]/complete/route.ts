import { z } from "zod";
import { getDb } from "@/lib/db";
import { json, readJson, route } from "@/lib/http";
import { idParam, requireDaemon } from "@/lib/runtimes";
import { completeTask } from "@/lib/tasks";

// `{result: {output}}` is our daemon's shape; a top-level `output` (as daemons modelled on the reference send it) is
// the same answer, not a field to drop: without it the agent's reply would be lost with a 200.
const body = z.object({ result: z.unknown().optional(), output: z.string({ error: "output must be a string" }).optional() });

export const POST = route("/api/daemon/tasks/[id]/complete", async (req, { id }) => {
  const db = await getDb();
  const who = await requireDaemon(req, db, "task_complete");
  const { result, output } = await readJson(req, body, 256 * 1024);
  return json({ task: await completeTask(db, who, idParam(id, "task"), result ?? (output === undefined ? null : { output })) });
});
