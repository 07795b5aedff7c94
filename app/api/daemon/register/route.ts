import { z } from "zod";
import { getDb } from "@/lib/db";
import { json, readJson, route } from "@/lib/http";
import { registerRuntimes, requireDaemon } from "@/lib/runtimes";

const text = (field: string, max: number) => z.string({ error: `${field} is required` }).trim().min(1, `${field} is required`).max(max, `${field} is too long`);

const body = z.object({
  workspace_id: z.uuid({ error: "workspace_id must be a UUID" }),
  daemon_id: text("daemon_id", 200),
  device_name: z.string().trim().max(200).default(""),
  cli_version: z.string().trim().max(64).default(""),
  runtimes: z
    .array(
      z.object({
        name: text("name", 200),
        provider: text("provider", 64).toLowerCase(),
        version: z.string().trim().max(64).default(""),
        status: z.enum(["online", "offline"]).default("online"),
      }),
    )
    .min(1, "runtimes must not be empty")
    .max(32, "too many runtimes"),
});

export const POST = route("/api/daemon/register", async (req) => {
  const db = await getDb();
  const who = await requireDaemon(req, db, "register");
  const input = await readJson(req, body);
  return json(await registerRuntimes(db, who, input));
});
