import { requireUser, requireWorkspace, requireWorkspaceRole } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { noContent, route } from "@/lib/http";
import { idParam, revokeDaemonToken } from "@/lib/runtimes";

export const DELETE = route("/api/runtimes/daemon-tokens/[id]", async (req, { id }) => {
  const principal = await requireUser(req);
  const db = await getDb();
  const m = requireWorkspaceRole(await requireWorkspace(req, principal, db), ["owner", "admin"]);
  await revokeDaemonToken(db, m.workspace.id, idParam(id, "token"));
  return noContent();
});
