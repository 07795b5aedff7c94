import { z } from "zod";
import { getDb } from "@/lib/db";
import { json, readJson, route } from "@/lib/http";
import { claimPendingRequests, heartbeatRuntimes, requireDaemon } from "@/lib/runtimes";

const body = z.object({
  runtime_ids: z.array(z.uuid({ error: "runtime_ids must be UUIDs" })).min(1, "runtime_ids must not be empty").max(32),
});

export const POST = route("/api/daemon/heartbeat", async (req) => {
  const db = await getDb();
  const who = await requireDaemon(req, db, "heartbeat");
  const { runtime_ids } = await readJson(req, body, 16 * 1024);
  const rows = await heartbeatRuntimes(db, who, runtime_ids);
  return json({ pending_requests: await claimPendingRequests(rows.map((r) => r.id)) });
});
