import { z } from "zod";
import { getDb } from "@/lib/db";
import { json, readJson, requiredString, route } from "@/lib/http";
import { idParam, requireDaemon } from "@/lib/runtimes";
import { addTaskMessages } from "@/lib/tasks";

const body = z.object({
  messages: z
    .array(z.object({ content: requiredString("content").min(1, "content is required").max(32_000) }))
    .min(1, "messages must not be empty")
    .max(100, "too many messages"),
  kind: z.enum(["message", "log"]).default("message"),
});

export const POST = route("/api/daemon/tasks/[id]/messages", async (req, { id }) => {
  const db = await getDb();
  const who = await requireDaemon(req, db, "task_messages");
  const input = await readJson(req, body, 512 * 1024);
  return json(await addTaskMessages(db, who, idParam(id, "task"), input.kind, input.messages.map((m) => m.content)));
});
