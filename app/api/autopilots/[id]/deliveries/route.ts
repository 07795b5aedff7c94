import { workspaceRequest } from "@/lib/auth";
import { json, route } from "@/lib/http";
import { listDeliveries } from "@/lib/autopilots";

/** `limit` (default 20, at most 100) and `offset`; an unusable value falls back to the default. */
const pageParam = (fallback: number, max: number) => (v: string | null) => {
  const n = Number(v ?? "");
  return v !== null && Number.isInteger(n) && n >= 0 ? Math.min(n, max) : fallback;
};

export const GET = route("/api/autopilots/[id]/deliveries", async (req, { id }) => {
  const { db, m } = await workspaceRequest(req);
  const q = new URL(req.url).searchParams;
  const limit = pageParam(20, 100)(q.get("limit")) || 20;
  const offset = pageParam(0, 1_000_000)(q.get("offset"));
  return json(await listDeliveries(db, m, id!, { limit, offset }));
});
