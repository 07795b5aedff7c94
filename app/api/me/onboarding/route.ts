import { requireUser, userResponse } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { clientPlatform, json, readJson, route } from "@/lib/http";
import { ONBOARDING_BODY_LIMIT, patchOnboarding, patchOnboardingBody } from "@/lib/onboarding";

export const PATCH = route("/api/me/onboarding", async (req) => {
  const { user } = await requireUser(req);
  const input = await readJson(req, patchOnboardingBody, ONBOARDING_BODY_LIMIT);
  return json(userResponse(await patchOnboarding(await getDb(), user.id, input, clientPlatform(req))));
});
