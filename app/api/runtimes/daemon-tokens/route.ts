import { z } from "zod";
import { requireHumanUser, requireUser, requireWorkspace, requireWorkspaceRole } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { json, readJson, requiredString, route } from "@/lib/http";
import { createDaemonToken, listDaemonTokens } from "@/lib/runtimes";

const body = z.object({
  name: requiredString("name").trim().min(1, "name is required").max(100, "name is too long"),
  expires_in_days: z.number().int().min(1).max(3650).optional(),
});

/** A workspace daemon token (`tdd_...`), shown once; owners and admins only. */
export const POST = route("/api/runtimes/daemon-tokens", async (req) => {
  const principal = await requireHumanUser(req);
  const db = await getDb();
  const m = requireWorkspaceRole(await requireWorkspace(req, principal, db), ["owner", "admin"]);
  const input = await readJson(req, body, 4096);
  return json(await createDaemonToken(db, { workspaceId: m.workspace.id, userId: m.user.id, name: input.name, expiresInDays: input.expires_in_days }), 201);
});

export const GET = route("/api/runtimes/daemon-tokens", async (req) => {
  const principal = await requireUser(req);
  const db = await getDb();
  const m = requireWorkspaceRole(await requireWorkspace(req, principal, db), ["owner", "admin"]);
  return json({ tokens: await listDaemonTokens(db, m.workspace.id) });
});
