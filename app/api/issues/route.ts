import { z } from "zod";
import { resolveActor } from "@/lib/actor";
import { requireUser, requireWorkspace } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { badRequest, clientPlatform, json, readJson, route } from "@/lib/http";
import { createIssue, ISSUE_PRIORITIES, ISSUE_STATUSES, listIssues } from "@/lib/issues";

const body = z
  .object({
    title: z.string({ error: "title is required" }).trim().min(1, "title is required").max(500, "title is too long"),
    description: z.string().max(100_000, "description is too long").optional(),
    status: z.enum(ISSUE_STATUSES).optional(),
    priority: z.enum(ISSUE_PRIORITIES).optional(),
    assignee_type: z.enum(["member", "agent"]).nullish(),
    assignee_id: z.uuid("assignee_id must be a UUID").nullish(),
  })
  .refine((b) => !b.assignee_type === !b.assignee_id, { message: "assignee_type and assignee_id go together", path: ["assignee_id"] });

export const POST = route("/api/issues", async (req) => {
  const db = await getDb();
  const m = await requireWorkspace(req, await requireUser(req, db), db);
  const input = await readJson(req, body, 128 * 1024);
  const actor = await resolveActor(db, req, m);
  const assignee = input.assignee_type && input.assignee_id ? { type: input.assignee_type, id: input.assignee_id } : null;
  return json(await createIssue(db, m, actor, { ...input, assignee }, clientPlatform(req)), 201);
});

const STATUS_SET = new Set<string>(ISSUE_STATUSES);

export const GET = route("/api/issues", async (req) => {
  const db = await getDb();
  const m = await requireWorkspace(req, await requireUser(req, db), db);
  const q = new URL(req.url).searchParams;
  const status = q.get("status")?.split(",").filter(Boolean);
  if (status?.some((s) => !STATUS_SET.has(s))) throw badRequest(`status must be one of ${ISSUE_STATUSES.join(", ")}`);
  const assigneeId = q.get("assignee_id") ?? undefined;
  if (assigneeId && !z.uuid().safeParse(assigneeId).success) throw badRequest("assignee_id must be a UUID");
  const assigneeType = q.get("assignee_type") ?? undefined;
  if (assigneeType && assigneeType !== "member" && assigneeType !== "agent") throw badRequest("assignee_type must be member or agent");
  const limit = Math.min(Math.max(Number(q.get("limit")) || 100, 1), 200);
  const offset = Math.max(Number(q.get("offset")) || 0, 0);
  const issues = await listIssues(db, m, {
    status: status as never,
    assigneeId,
    assigneeType: assigneeType as "member" | "agent" | undefined,
    q: q.get("q")?.trim().slice(0, 200) || undefined,
    limit,
    offset,
  });
  return json({ issues });
});
