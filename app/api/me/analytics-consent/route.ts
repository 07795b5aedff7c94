import { z } from "zod";
import { requireUser, setAnalyticsConsent, userResponse } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { json, readJson, route } from "@/lib/http";

const body = z.object({
  choice: z.enum(["granted", "denied"], { error: "choice must be granted or denied" }),
});

/** The signed-in person's analytics choice (ANALYTICS_CONSENT), kept on the account so the server honours it too. */
export const PUT = route("/api/me/analytics-consent", async (req) => {
  const { user } = await requireUser(req);
  const { choice } = await readJson(req, body, 1024);
  return json(userResponse(await setAnalyticsConsent(await getDb(), user.id, choice)));
});
