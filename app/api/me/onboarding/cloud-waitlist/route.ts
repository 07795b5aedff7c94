import { requireUser, userResponse } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { json, readJson, route } from "@/lib/http";
import { cloudWaitlistBody, joinCloudWaitlist, ONBOARDING_BODY_LIMIT } from "@/lib/onboarding";

export const POST = route("/api/me/onboarding/cloud-waitlist", async (req) => {
  const { user } = await requireUser(req);
  const input = await readJson(req, cloudWaitlistBody, ONBOARDING_BODY_LIMIT);
  return json(userResponse(await joinCloudWaitlist(await getDb(), user.id, input)));
});
