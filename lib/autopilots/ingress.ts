import { eq } from "drizzle-orm";
import type { Db } from "@/lib/db";
import { autopilotTriggers } from "@/lib/db/schema";
import { badRequest, HttpError, notFound, tooManyRequests } from "@/lib/http/errors";
import { parseJsonText } from "@/lib/http/text";
import { getStore, rateLimit } from "@/lib/store";
import { recordWebhookDelivery } from "@/lib/telemetry";
import { dispatchAutopilot } from "./dispatch";
import { parseWebhookToken, webhookSecretMatches } from "./webhook";

export const WEBHOOK_BODY_LIMIT = 256 * 1024;
const PER_IP_PER_MINUTE = 30;
const PER_TRIGGER_PER_MINUTE = 60;
const PAYLOAD_IN_PROMPT = 16 * 1024;
const MINUTE = 60_000;

/** The per-IP limit runs before any database access, so floods of guessed tokens cost nothing but a counter. */
export async function limitWebhookIp(ip: string): Promise<void> {
  const r = await rateLimit(await getStore(), `autopilot-webhook:ip:${ip}`, PER_IP_PER_MINUTE, MINUTE);
  if (!r.allowed) throw tooManyRequests(r.retryAfterSeconds, "rate limit exceeded");
}

/**
 * POST /api/webhooks/autopilot/[token] (integrations inventory §2, minus stored deliveries): the secret URL is the
 * credential; the workspace comes from the trigger row, never from headers. A wrong or unknown token is a 404.
 */
export async function receiveAutopilotWebhook(db: Db, token: string, readBody: () => Promise<string>) {
  try {
    return await deliver(db, token, readBody);
  } catch (err) {
    // Refused deliveries (unknown token, rate limit, bad body) count as `rejected`; nothing else happens.
    if (err instanceof HttpError && err.status < 500) recordWebhookDelivery("generic", "rejected");
    throw err;
  }
}

async function deliver(db: Db, token: string, readBody: () => Promise<string>) {
  const parsed = parseWebhookToken(token);
  if (!parsed) throw notFound("webhook not found");
  const [trigger] = await db.select().from(autopilotTriggers).where(eq(autopilotTriggers.id, parsed.triggerId));
  if (!trigger || trigger.kind !== "webhook" || !webhookSecretMatches(parsed.secret, trigger.webhookSecretHash)) {
    throw notFound("webhook not found");
  }
  const perTrigger = await rateLimit(await getStore(), `autopilot-webhook:trigger:${trigger.id}`, PER_TRIGGER_PER_MINUTE, MINUTE);
  if (!perTrigger.allowed) throw tooManyRequests(perTrigger.retryAfterSeconds, "rate limit exceeded");

  const text = (await readBody()).replace(/^\uFEFF/, "");
  // The shared reader's checks: depth (stringify below recurses), NUL and lone surrogates (the run stores the text).
  const payload = parseJsonText(text, "body must be a JSON object or array");
  if (typeof payload !== "object" || payload === null) throw badRequest("body must be a JSON object or array");

  const json = JSON.stringify(payload, null, 2);
  const context = `Webhook payload:\n\`\`\`json\n${json.length > PAYLOAD_IN_PROMPT ? `${json.slice(0, PAYLOAD_IN_PROMPT)}\n…(truncated)` : json}\n\`\`\``;
  const outcome = await dispatchAutopilot(db, { autopilotId: trigger.autopilotId, trigger, kind: "webhook", context });
  const ids = { autopilot_id: trigger.autopilotId, trigger_id: trigger.id };
  switch (outcome.status) {
    case "started":
      recordWebhookDelivery("generic", "dispatched");
      return { status: "accepted", run_id: outcome.run.id, ...ids };
    case "skipped":
      // Accepted but not run (disabled, already running, runtime offline): nothing was dispatched.
      recordWebhookDelivery("generic", "ignored");
      return { status: outcome.reason === "trigger_disabled" ? "ignored" : "skipped", run_id: outcome.run.id, reason: outcome.reason, ...ids };
    default:
      recordWebhookDelivery("generic", "failed");
      throw new HttpError(500, "failed to dispatch autopilot");
  }
}
