import { workspaceRequest } from "@/lib/auth";
import { json, route } from "@/lib/http";
import { listRuns, runAutopilotNow } from "@/lib/autopilots";

/** A manual run: 201 with the run, whose status says started, skipped (with skip_reason) or failed. */
export const POST = route("/api/autopilots/[id]/runs", async (req, { id }) => {
  const { db, m } = await workspaceRequest(req);
  return json(await runAutopilotNow(db, m, id!), 201);
});

export const GET = route("/api/autopilots/[id]/runs", async (req, { id }) => {
  const { db, m } = await workspaceRequest(req);
  return json({ runs: await listRuns(db, m, id!) });
});
