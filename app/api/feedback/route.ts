import { requireUser } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { FEEDBACK_BODY_LIMIT, feedbackBody, feedbackMetadata, submitFeedback } from "@/lib/forms";
import { json, readJson, route } from "@/lib/http";
import { getStore } from "@/lib/store";

export const POST = route("/api/feedback", async (req) => {
  const { user } = await requireUser(req);
  const input = await readJson(req, feedbackBody, FEEDBACK_BODY_LIMIT);
  const created = await submitFeedback(await getDb(), await getStore(), user.id, input, feedbackMetadata(req, input.url));
  return json(created, 201);
});
