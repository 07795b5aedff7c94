import { requireUser, requireWorkspace } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { json, route } from "@/lib/http";
import { rotateWebhookToken } from "@/lib/autopilots";

/** 200 with the trigger and its new `webhook_token`/`webhook_path` (shown once). */
export const POST = route("/api/autopilots/[id]/triggers/[triggerId]/rotate", async (req, { id, triggerId }) => {
  const db = await getDb();
  const m = await requireWorkspace(req, await requireUser(req, db), db);
  return json(await rotateWebhookToken(db, m, id!, triggerId!));
});
