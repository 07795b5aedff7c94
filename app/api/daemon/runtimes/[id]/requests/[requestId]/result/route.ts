import { z } from "zod";
import { getDb } from "@/lib/db";
import { badRequest, json, notFound, readJson, route } from "@/lib/http";
import { idParam, reportRequestResult, requireDaemon } from "@/lib/runtimes";

const body = z.object({ result: z.unknown().optional(), error: z.string().max(4000).optional() });

export const POST = route("/api/daemon/runtimes/[id]/requests/[requestId]/result", async (req, { id, requestId }) => {
  const db = await getDb();
  const who = await requireDaemon(req, db, "request_result");
  const input = await readJson(req, body, 1024 * 1024);
  if (input.result === undefined && input.error === undefined) throw badRequest("result or error is required");
  if (!requestId || !/^[0-9a-f]{32}$/.test(requestId)) throw notFound("request not found");
  return json(await reportRequestResult(db, who, idParam(id, "runtime"), requestId, input));
});
