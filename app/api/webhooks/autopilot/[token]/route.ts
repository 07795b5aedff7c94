import { getDb } from "@/lib/db";
import { clientIp, json, readText, route } from "@/lib/http";
import { limitWebhookIp, receiveAutopilotWebhook, WEBHOOK_BODY_LIMIT } from "@/lib/autopilots/ingress";

/** Public: the secret token in the URL is the credential (no session, no CSRF check). */
export const POST = route("/api/webhooks/autopilot/[token]", async (req, { token }) => {
  await limitWebhookIp(clientIp(req));
  return json(await receiveAutopilotWebhook(await getDb(), token ?? "", () => readText(req, WEBHOOK_BODY_LIMIT)));
});
