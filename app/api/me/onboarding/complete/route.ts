import { requireUser, userResponse } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { json, readJson, route } from "@/lib/http";
import { completeOnboarding, completeOnboardingBody, ONBOARDING_BODY_LIMIT } from "@/lib/onboarding";

export const POST = route("/api/me/onboarding/complete", async (req) => {
  const { user } = await requireUser(req);
  const input = await readJson(req, completeOnboardingBody, ONBOARDING_BODY_LIMIT);
  return json(userResponse(await completeOnboarding(await getDb(), user, input)));
});
