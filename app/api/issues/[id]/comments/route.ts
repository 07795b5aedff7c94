import { z } from "zod";
import { resolveActor } from "@/lib/actor";
import { workspaceRequest } from "@/lib/auth";
import { json, readJson, requiredString, route } from "@/lib/http";
import { addComment, listComments } from "@/lib/issues";

const body = z.object({
  body: requiredString("body").trim().min(1, "body is required").max(50_000, "body is too long"),
});

export const GET = route("/api/issues/[id]/comments", async (req, { id }) => {
  const { db, m } = await workspaceRequest(req);
  return json({ comments: await listComments(db, m, id!) });
});

export const POST = route("/api/issues/[id]/comments", async (req, { id }) => {
  const { db, m } = await workspaceRequest(req);
  const input = await readJson(req, body, 64 * 1024);
  return json(await addComment(db, m, await resolveActor(db, req, m), id!, input.body), 201);
});
