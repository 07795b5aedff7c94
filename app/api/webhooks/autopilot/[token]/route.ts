import { getDb } from "@/lib/db";
import { clientIp, json, route } from "@/lib/http";
import { limitWebhookIp, receiveAutopilotWebhook } from "@/lib/autopilots/ingress";

/** Public: the secret token in the URL is the credential (no session, no CSRF check). */
export const POST = route("/api/webhooks/autopilot/[token]", async (req, { token }) => {
  await limitWebhookIp(clientIp(req));
  const answer = await receiveAutopilotWebhook(await getDb(), token ?? "", req);
  return json(answer.body, answer.status);
});
