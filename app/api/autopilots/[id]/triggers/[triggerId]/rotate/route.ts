import { workspaceRequest } from "@/lib/auth";
import { json, route } from "@/lib/http";
import { rotateWebhookToken } from "@/lib/autopilots";

/** 200 with the trigger and its new `webhook_token`/`webhook_path` (shown once). */
export const POST = route("/api/autopilots/[id]/triggers/[triggerId]/rotate", async (req, { id, triggerId }) => {
  const { db, m } = await workspaceRequest(req);
  return json(await rotateWebhookToken(db, m, id!, triggerId!));
});
