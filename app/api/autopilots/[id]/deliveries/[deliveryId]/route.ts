import { workspaceRequest } from "@/lib/auth";
import { json, route } from "@/lib/http";
import { getDelivery } from "@/lib/autopilots";

/** One delivery with its stored body, kept headers and our answer (another autopilot's delivery is a 404). */
export const GET = route("/api/autopilots/[id]/deliveries/[deliveryId]", async (req, { id, deliveryId }) => {
  const { db, m } = await workspaceRequest(req);
  return json(await getDelivery(db, m, id!, deliveryId!));
});
