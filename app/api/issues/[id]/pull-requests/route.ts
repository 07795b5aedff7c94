import { workspaceRequest } from "@/lib/auth";
import { json, route } from "@/lib/http";
import { listIssuePullRequests } from "@/lib/github/installations";

/** The pull requests linked to an issue (`[id]` is a UUID or an identifier such as ENG-12). */
export const GET = route("/api/issues/[id]/pull-requests", async (req, { id }) => {
  const { db, m } = await workspaceRequest(req);
  return json({ pull_requests: await listIssuePullRequests(db, m, id!) });
});
