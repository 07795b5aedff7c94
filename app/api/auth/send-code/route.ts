import { z } from "zod";
import { normalizeEmail, refuseForeignOrigin, sendLoginCode } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { clientIp, json, readJson, requiredString, route } from "@/lib/http";
import { getStore } from "@/lib/store";

const body = z.object({ email: requiredString("email") });

export const POST = route("/api/auth/send-code", async (req) => {
  refuseForeignOrigin(req);
  const email = normalizeEmail((await readJson(req, body, 4096)).email);
  await sendLoginCode(await getDb(), await getStore(), email, clientIp(req));
  return json({ ok: true });
});
