import { z } from "zod";
import { getDb } from "@/lib/db";
import { json, readJson, requiredString, route } from "@/lib/http";
import { idParam, requireDaemon } from "@/lib/runtimes";
import { reportUsage } from "@/lib/tasks";

/** Cumulative counts; the columns are 64-bit, 1e12 is a sanity bound well inside them (and inside 2^53). */
const tokens = (field: string) =>
  z
    .number({ error: `${field} must be a number` })
    .int(`${field} must be an integer`)
    .min(0, `${field} must not be negative`)
    .max(1e12, `${field} must be at most 1e12`)
    .optional();

const body = z.object({
  usage: z
    .array(
      z.object({
        model: requiredString("model").trim().min(1, "model is required").max(200),
        provider: z.string().trim().max(64).optional(),
        input_tokens: tokens("input_tokens"),
        output_tokens: tokens("output_tokens"),
        cache_read_tokens: tokens("cache_read_tokens"),
        cache_write_tokens: tokens("cache_write_tokens"),
      }),
    )
    .min(1, "usage must not be empty")
    .max(50, "too many usage rows"),
});

export const POST = route("/api/daemon/tasks/[id]/usage", async (req, { id }) => {
  const db = await getDb();
  const who = await requireDaemon(req, db, "task_usage");
  const { usage } = await readJson(req, body, 64 * 1024);
  return json(await reportUsage(db, who, idParam(id, "task"), usage));
});
