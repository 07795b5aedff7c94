import { z } from "zod";
import { clearedSessionCookie, requireHumanUser, requireUser, userResponse } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { json, noContent, readJson, requiredString, route } from "@/lib/http";
import { deleteAccount } from "@/lib/workspaces";

export const GET = route("/api/me", async (req) => {
  const { user } = await requireUser(req);
  return json(userResponse(user));
});

const deleteBody = z.object({ confirm_email: requiredString("confirm_email") });

export const DELETE = route("/api/me", async (req) => {
  const { user } = await requireHumanUser(req); // erasure is a person's decision, never a cloud node's
  const { confirm_email } = await readJson(req, deleteBody, 4096);
  await deleteAccount(await getDb(), user, confirm_email);
  return noContent({ "Set-Cookie": clearedSessionCookie() });
});
