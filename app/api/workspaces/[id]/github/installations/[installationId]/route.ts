import { z } from "zod";
import { requireUser, requireWorkspaceMember } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { json, noContent, readJson, route } from "@/lib/http";
import { deleteInstallation, updateInstallation } from "@/lib/github/installations";

async function membership(req: Request, id: string) {
  const db = await getDb();
  return { db, m: await requireWorkspaceMember(db, (await requireUser(req, db)).user, id) };
}

/** Owner/admin: forgets the installation (GitHub keeps it until it is uninstalled there). */
export const DELETE = route("/api/workspaces/[id]/github/installations/[installationId]", async (req, { id, installationId }) => {
  const { db, m } = await membership(req, id!);
  await deleteInstallation(db, m, installationId!);
  return noContent();
});

const patch = z.object({ auto_link_prs: z.boolean({ error: "auto_link_prs must be a boolean" }).optional() });

export const PATCH = route("/api/workspaces/[id]/github/installations/[installationId]", async (req, { id, installationId }) => {
  const { db, m } = await membership(req, id!);
  return json(await updateInstallation(db, m, installationId!, await readJson(req, patch, 1024)));
});
