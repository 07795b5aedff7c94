import { requireUser, requireWorkspaceMember } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { json, route } from "@/lib/http";
import { listInstallations } from "@/lib/github/installations";

/** Members see the installations; GitHub's numeric installation_id only for owners/admins. */
export const GET = route("/api/workspaces/[id]/github/installations", async (req, { id }) => {
  const db = await getDb();
  const m = await requireWorkspaceMember(db, (await requireUser(req, db)).user, id!);
  return json(await listInstallations(db, m));
});
