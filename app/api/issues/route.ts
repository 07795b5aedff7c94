import { z } from "zod";
import { resolveActor } from "@/lib/actor";
import { workspaceRequest } from "@/lib/auth";
import { clientPlatform, json, readJson, readQuery, requiredString, route } from "@/lib/http";
import { createIssue, ISSUE_PRIORITIES, ISSUE_STATUSES, listIssues } from "@/lib/issues";

const body = z
  .object({
    title: requiredString("title").trim().min(1, "title is required").max(500, "title is too long"),
    description: z.string().max(100_000, "description is too long").optional(),
    status: z.enum(ISSUE_STATUSES).optional(),
    priority: z.enum(ISSUE_PRIORITIES).optional(),
    assignee_type: z.enum(["member", "agent"]).nullish(),
    assignee_id: z.uuid("assignee_id must be a UUID").nullish(),
  })
  .refine((b) => !b.assignee_type === !b.assignee_id, { message: "assignee_type and assignee_id go together", path: ["assignee_id"] });

export const POST = route("/api/issues", async (req) => {
  const { db, m } = await workspaceRequest(req);
  const input = await readJson(req, body, 128 * 1024);
  const actor = await resolveActor(db, req, m);
  const assignee = input.assignee_type && input.assignee_id ? { type: input.assignee_type, id: input.assignee_id } : null;
  return json(await createIssue(db, m, actor, { ...input, assignee }, clientPlatform(req)), 201);
});

const query = z.object({
  status: z
    .string()
    .transform((v) => v.split(",").filter(Boolean))
    .pipe(z.array(z.enum(ISSUE_STATUSES, { error: `status must be one of ${ISSUE_STATUSES.join(", ")}` })))
    .optional(),
  assignee_id: z.uuid("assignee_id must be a UUID").optional(),
  assignee_type: z.enum(["member", "agent"], { error: "assignee_type must be member or agent" }).optional(),
  q: z.string().transform((v) => v.trim().slice(0, 200) || undefined).optional(),
  limit: z.coerce.number().int().catch(100).transform((n) => Math.min(Math.max(n, 1), 200)).optional(),
  offset: z.coerce.number().int().catch(0).transform((n) => Math.max(n, 0)).optional(),
});

export const GET = route("/api/issues", async (req) => {
  const { db, m } = await workspaceRequest(req);
  const f = readQuery(req, query);
  const issues = await listIssues(db, m, {
    status: f.status,
    assigneeId: f.assignee_id,
    assigneeType: f.assignee_type,
    q: f.q,
    limit: f.limit ?? 100,
    offset: f.offset ?? 0,
  });
  return json({ issues });
});
