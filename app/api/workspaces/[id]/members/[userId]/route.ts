import { z } from "zod";
import { requireUser, requireWorkspaceMember } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { json, noContent, readJson, route } from "@/lib/http";
import { changeMemberRole, removeMember } from "@/lib/workspaces";

const body = z.object({ role: z.enum(["owner", "admin", "member"], { error: "role must be owner, admin or member" }) });

/** Changes a member's role (owner/admin; only an owner makes owners). */
export const PATCH = route("/api/workspaces/[id]/members/[userId]", async (req, { id, userId }) => {
  const { user } = await requireUser(req);
  const db = await getDb();
  const m = await requireWorkspaceMember(db, user, id!);
  const input = await readJson(req, body, 1024);
  return json(await changeMemberRole(db, m, userId!, input.role));
});

/** Removes a member (owner/admin), or leaves the workspace (one's own id). */
export const DELETE = route("/api/workspaces/[id]/members/[userId]", async (req, { id, userId }) => {
  const { user } = await requireUser(req);
  const db = await getDb();
  const m = await requireWorkspaceMember(db, user, id!);
  await removeMember(db, m, userId!);
  return noContent();
});
