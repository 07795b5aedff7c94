import { workspaceRequest } from "@/lib/auth";
import { json, route } from "@/lib/http";
import { replayDelivery } from "@/lib/autopilots";

/** 201 with the new delivery (a copy of the stored one, dispatched again without dedupe or filters). */
export const POST = route("/api/autopilots/[id]/deliveries/[deliveryId]/replay", async (req, { id, deliveryId }) => {
  const { db, m } = await workspaceRequest(req);
  return json(await replayDelivery(db, m, id!, deliveryId!), 201);
});
