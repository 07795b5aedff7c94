import { z } from "zod";
import { workspaceRequest } from "@/lib/auth";
import { json, noContent, patchBody, readJson, route } from "@/lib/http";
import { deleteAutopilot, getAutopilot, updateAutopilot } from "@/lib/autopilots";

const patch = patchBody({
  name: z.string().trim().min(1, "name must not be empty").max(200, "name is too long").optional(),
  prompt: z.string().trim().min(1, "prompt must not be empty").max(50_000, "prompt is too long").optional(),
  enabled: z.boolean().optional(),
  execution_mode: z.enum(["create_issue", "run_only"]).optional(),
  assignee_type: z.enum(["agent", "squad"]).optional(),
  assignee_id: z.uuid("assignee_id must be a UUID").optional(),
});

export const GET = route("/api/autopilots/[id]", async (req, { id }) => {
  const { db, m } = await workspaceRequest(req);
  return json(await getAutopilot(db, m, id!));
});

export const PATCH = route("/api/autopilots/[id]", async (req, { id }) => {
  const { db, m } = await workspaceRequest(req);
  const b = await readJson(req, patch, 64 * 1024);
  return json(
    await updateAutopilot(db, m, id!, {
      name: b.name,
      prompt: b.prompt,
      enabled: b.enabled,
      executionMode: b.execution_mode,
      assigneeType: b.assignee_type,
      assigneeId: b.assignee_id,
    }),
  );
});

export const DELETE = route("/api/autopilots/[id]", async (req, { id }) => {
  const { db, m } = await workspaceRequest(req);
  await deleteAutopilot(db, m, id!);
  return noContent();
});
