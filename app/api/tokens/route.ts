import { z } from "zod";
import { createAccessToken, listAccessTokens, requireHumanUser, requireUser } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { json, readJson, requiredString, route } from "@/lib/http";

const body = z.object({
  name: requiredString("name").trim().min(1, "name is required").max(100, "name is too long"),
  expires_in_days: z.number().int().min(1).max(3650).optional(),
});

export const POST = route("/api/tokens", async (req) => {
  const { user } = await requireHumanUser(req); // a machine (cloud-node) token never mints a personal one
  const input = await readJson(req, body, 4096);
  return json(await createAccessToken(await getDb(), user.id, input), 201);
});

export const GET = route("/api/tokens", async (req) => {
  const { user } = await requireUser(req);
  return json({ tokens: await listAccessTokens(await getDb(), user.id) });
});
