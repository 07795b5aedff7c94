import { z } from "zod";
import { requireUser } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { json, readJson, route } from "@/lib/http";
import { createWorkspace, listWorkspaces, workspaceName } from "@/lib/workspaces";

const body = z.object({
  name: workspaceName,
  slug: z.string().max(40, "slug is too long").optional(),
});

export const POST = route("/api/workspaces", async (req) => {
  const { user } = await requireUser(req);
  const input = await readJson(req, body, 4096);
  return json(await createWorkspace(await getDb(), user, input), 201);
});

export const GET = route("/api/workspaces", async (req) => {
  const { user } = await requireUser(req);
  return json({ workspaces: await listWorkspaces(await getDb(), user.id) });
});
