import { z } from "zod";
import { requireUser, requireWorkspace } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { json, readJson, route } from "@/lib/http";
import { PENDING_REQUEST_KINDS } from "@/lib/pending-requests";
import { createRuntimeRequest, idParam } from "@/lib/runtimes";

const body = z.object({
  kind: z.enum(PENDING_REQUEST_KINDS, { error: `kind must be one of ${PENDING_REQUEST_KINDS.join(", ")}` }),
  params: z.record(z.string(), z.unknown()).optional(),
});

/** Asks the runtime something (list its skills or models, ping); poll the returned id for the answer. */
export const POST = route("/api/runtimes/[id]/requests", async (req, { id }) => {
  const principal = await requireUser(req);
  const db = await getDb();
  const m = await requireWorkspace(req, principal, db);
  const input = await readJson(req, body, 8 * 1024);
  return json(await createRuntimeRequest(db, m, idParam(id, "runtime"), input), 201);
});
