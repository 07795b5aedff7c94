import { workspaceRequest } from "@/lib/auth";
import { json, readJson, route } from "@/lib/http";
import { addTrigger } from "@/lib/autopilots";
import { triggerSchema } from "@/lib/autopilots/schemas";

/** 201 with the trigger; a webhook trigger's `webhook_token`/`webhook_path` appear in this response only. */
export const POST = route("/api/autopilots/[id]/triggers", async (req, { id }) => {
  const { db, m } = await workspaceRequest(req);
  const input = await readJson(req, triggerSchema, 4096);
  return json(await addTrigger(db, m, id!, input), 201);
});
