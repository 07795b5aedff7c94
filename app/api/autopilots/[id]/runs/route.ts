import { requireUser, requireWorkspace } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { json, route } from "@/lib/http";
import { listRuns, runAutopilotNow } from "@/lib/autopilots";

/** A manual run: 201 with the run, whose status says started, skipped (with skip_reason) or failed. */
export const POST = route("/api/autopilots/[id]/runs", async (req, { id }) => {
  const db = await getDb();
  const m = await requireWorkspace(req, await requireUser(req, db), db);
  return json(await runAutopilotNow(db, m, id!), 201);
});

export const GET = route("/api/autopilots/[id]/runs", async (req, { id }) => {
  const db = await getDb();
  const m = await requireWorkspace(req, await requireUser(req, db), db);
  return json({ runs: await listRuns(db, m, id!) });
});
