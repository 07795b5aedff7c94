import { z } from "zod";
import { workspaceRequest } from "@/lib/auth";
import { json, noContent, patchBody, readJson, route } from "@/lib/http";
import { deleteIssue, getIssue, ISSUE_PRIORITIES, ISSUE_STATUSES, updateIssue } from "@/lib/issues";

const patch = patchBody({
  title: z.string().trim().min(1, "title must not be empty").max(500, "title is too long").optional(),
  description: z.string().max(100_000, "description is too long").optional(),
  status: z.enum(ISSUE_STATUSES).optional(),
  priority: z.enum(ISSUE_PRIORITIES).optional(),
  // null unassigns; both absent leaves the assignee alone.
  assignee_type: z.enum(["member", "agent"]).nullish(),
  assignee_id: z.uuid("assignee_id must be a UUID").nullish(),
}).refine((b) => (b.assignee_type === undefined) === (b.assignee_id === undefined) && !b.assignee_type === !b.assignee_id, {
    message: "assignee_type and assignee_id go together",
    path: ["assignee_id"],
  });

export const GET = route("/api/issues/[id]", async (req, { id }) => {
  const { db, m } = await workspaceRequest(req);
  return json(await getIssue(db, m, id!));
});

export const PATCH = route("/api/issues/[id]", async (req, { id }) => {
  const { db, m } = await workspaceRequest(req);
  const input = await readJson(req, patch, 128 * 1024);
  const assignee =
    input.assignee_type === undefined ? undefined : input.assignee_type && input.assignee_id ? { type: input.assignee_type, id: input.assignee_id } : null;
  return json(await updateIssue(db, m, id!, { ...input, assignee }));
});

export const DELETE = route("/api/issues/[id]", async (req, { id }) => {
  const { db, m } = await workspaceRequest(req);
  await deleteIssue(db, m, id!);
  return noContent();
});
