import { workspaceRequest } from "@/lib/auth";
import { json, noContent, readJson, route } from "@/lib/http";
import { deleteTrigger, updateTrigger } from "@/lib/autopilots";
import { triggerPatchSchema as patch } from "@/lib/autopilots/schemas";


export const PATCH = route("/api/autopilots/[id]/triggers/[triggerId]", async (req, { id, triggerId }) => {
  const { db, m } = await workspaceRequest(req);
  const input = await readJson(req, patch, 4096);
  return json(await updateTrigger(db, m, id!, triggerId!, input));
});

export const DELETE = route("/api/autopilots/[id]/triggers/[triggerId]", async (req, { id, triggerId }) => {
  const { db, m } = await workspaceRequest(req);
  await deleteTrigger(db, m, id!, triggerId!);
  return noContent();
});
