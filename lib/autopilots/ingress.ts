import { and, desc, eq, lt, notInArray, sql } from "drizzle-orm";
import { config } from "@/lib/config";
import type { Db } from "@/lib/db";
import { autopilotTriggers, autopilots, webhookDeliveries } from "@/lib/db/schema";
import { badRequest, HttpError, notFound, tooManyRequests } from "@/lib/http/errors";
import { readText } from "@/lib/http/body";
import { getStore, rateLimit } from "@/lib/store";
import { recordWebhookDelivery } from "@/lib/telemetry";
import { checkHubSignature } from "@/lib/github/signature";
import { dispatchAutopilot, type Trigger } from "./dispatch";
import { buildEnvelope, dedupeKeyOf, matchesFilters, parseWebhookBody, selectedHeaders, type Envelope } from "./envelope";
import type { Autopilot } from "./runs";
import { parseWebhookToken, webhookSecretMatches } from "./webhook";

export const WEBHOOK_BODY_LIMIT = 256 * 1024;
const PAYLOAD_IN_PROMPT = 16 * 1024;
const MINUTE = 60_000;

export type Delivery = typeof webhookDeliveries.$inferSelect;
/** What the webhook route answers (also stored on the delivery as response_status / response_body). */
export type DeliveryAnswer = { status: number; body: Record<string, unknown> };

/** The per-IP limit runs before any database access, so floods of guessed tokens cost nothing but a counter. */
export async function limitWebhookIp(ip: string): Promise<void> {
  const r = await rateLimit(await getStore(), `autopilot-webhook:ip:${ip}`, config().RATE_LIMIT_WEBHOOK_IP, MINUTE);
  if (!r.allowed) throw tooManyRequests(r.retryAfterSeconds, "rate limit exceeded");
}

/**
 * POST /api/webhooks/autopilot/[token] (integrations inventory §2.2): the secret URL is the credential; the
 * workspace comes from the trigger row, never from headers. Every delivery that passes the token, size and JSON
 * checks is stored in `webhook_deliveries`; the optional signing secret is checked *before* the dedupe lookup, so
 * a sender without the secret learns nothing about earlier deliveries. A request refused before that (unknown token,
 * rate limit, bad body) stores nothing and counts nothing: `webhook_delivery_total` counts deliveries (reference
 * inventory §2.7), and anyone can make up a token.
 */
export async function receiveAutopilotWebhook(db: Db, token: string, req: Request): Promise<DeliveryAnswer> {
  const parsedToken = parseWebhookToken(token);
  if (!parsedToken) throw notFound("webhook not found");
  const [trigger] = await db.select().from(autopilotTriggers).where(eq(autopilotTriggers.id, parsedToken.triggerId));
  if (!trigger || trigger.kind !== "webhook" || !webhookSecretMatches(parsedToken.secret, trigger.webhookSecretHash)) {
    throw notFound("webhook not found");
  }
  const perTrigger = await rateLimit(await getStore(), `autopilot-webhook:trigger:${trigger.id}`, config().RATE_LIMIT_WEBHOOK_TRIGGER, MINUTE);
  if (!perTrigger.allowed) throw tooManyRequests(perTrigger.retryAfterSeconds, "rate limit exceeded");

  const text = await readText(req, WEBHOOK_BODY_LIMIT);
  const body = parseWebhookBody(text);
  if (!body.ok) throw badRequest(body.error);
  const [ap] = await db.select().from(autopilots).where(eq(autopilots.id, trigger.autopilotId));
  if (!ap) throw notFound("webhook not found");

  const receivedAt = new Date();
  // Retention: this autopilot's deliveries past WEBHOOK_DELIVERY_RETENTION_DAYS go (an index range, usually empty).
  const cutoff = new Date(receivedAt.getTime() - config().WEBHOOK_DELIVERY_RETENTION_DAYS * 86_400_000);
  await db.delete(webhookDeliveries).where(and(eq(webhookDeliveries.autopilotId, ap.id), lt(webhookDeliveries.createdAt, cutoff)));
  const envelope = buildEnvelope(body.value, req.headers, receivedAt);
  const dedupe = dedupeKeyOf(trigger.provider, req.headers);
  const signature = trigger.signingSecret ? await checkHubSignature(trigger.signingSecret, text, req.headers.get("x-hub-signature-256")) : "not_required";
  const row = {
    workspaceId: ap.workspaceId,
    autopilotId: ap.id,
    triggerId: trigger.id,
    provider: trigger.provider,
    event: envelope.event,
    dedupeKey: dedupe?.key ?? null,
    dedupeSource: dedupe?.source ?? null,
    signatureStatus: signature,
    selectedHeaders: selectedHeaders(req.headers),
    contentType: envelope.request.contentType || null,
    rawBody: text,
    receivedAt,
  };

  if (signature === "missing" || signature === "invalid") {
    // Stored as rejected straight away: a rejected row never holds the dedupe slot.
    const reason = `${signature}_signature`;
    const [d] = await db.insert(webhookDeliveries).values({ ...row, status: "rejected", error: reason }).returning();
    const answer = { status: 401, body: { status: "rejected", delivery_id: d!.id, reason, error: "invalid signature" } };
    await db.update(webhookDeliveries).set({ responseStatus: answer.status, responseBody: answer.body }).where(eq(webhookDeliveries.id, d!.id));
    recordWebhookDelivery(trigger.provider, "rejected");
    return answer;
  }

  // The partial unique index (trigger, dedupe key) decides duplicates; a loser bumps the original's attempt count.
  for (let attempt = 0; attempt < 3; attempt++) {
    const [d] = await db.insert(webhookDeliveries).values({ ...row, status: "queued" }).onConflictDoNothing().returning();
    if (d) {
      recordWebhookDelivery(trigger.provider, "queued");
      return processDelivery(db, d, ap, trigger, envelope, { applyFilters: true });
    }
    const dup = await bumpDuplicate(db, trigger.id, dedupe!.key);
    if (dup) {
      recordWebhookDelivery(trigger.provider, "duplicate");
      return { status: 200, body: { status: "duplicate", delivery_id: dup.id, ...(dup.autopilotRunId ? { run_id: dup.autopilotRunId } : {}) } };
    }
    // The original was finalised as rejected/failed in between: its slot is free again, insert once more.
  }
  throw new HttpError(503, "delivery is being processed, retry later");
}

async function bumpDuplicate(db: Db, triggerId: string, key: string): Promise<Delivery | undefined> {
  const [original] = await db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.triggerId, triggerId), eq(webhookDeliveries.dedupeKey, key), notInArray(webhookDeliveries.status, ["rejected", "failed"])))
    .orderBy(desc(webhookDeliveries.createdAt))
    .limit(1);
  if (!original) return undefined;
  const [bumped] = await db
    .update(webhookDeliveries)
    .set({ attemptCount: sql`${webhookDeliveries.attemptCount} + 1`, lastAttemptAt: new Date() })
    .where(eq(webhookDeliveries.id, original.id))
    .returning();
  return bumped;
}

/** Stores the outcome of a delivery and counts it once, with the status it is stored with. */
async function finalise(
  db: Db,
  d: Delivery,
  status: "dispatched" | "ignored" | "failed",
  answer: DeliveryAnswer,
  extra: { runId?: string | null; error?: string | null } = {},
): Promise<DeliveryAnswer> {
  await db
    .update(webhookDeliveries)
    .set({
      status,
      responseStatus: answer.status,
      responseBody: answer.body,
      autopilotRunId: extra.runId ?? null,
      error: extra.error ? extra.error.slice(0, 500) : null,
      lastAttemptAt: new Date(),
    })
    .where(eq(webhookDeliveries.id, d.id));
  recordWebhookDelivery(d.provider, status);
  return answer;
}

function promptContext(envelope: Envelope): string {
  const json = JSON.stringify(envelope.eventPayload, null, 2);
  const payload = json.length > PAYLOAD_IN_PROMPT ? `${json.slice(0, PAYLOAD_IN_PROMPT)}\n…(truncated)` : json;
  return `Webhook event: ${envelope.event}\nWebhook payload:\n\`\`\`json\n${payload}\n\`\`\``;
}

/** Runs a stored (queued) delivery: disabled → ignored, filtered → ignored, else dispatched or failed. */
export async function processDelivery(
  db: Db,
  d: Delivery,
  ap: Autopilot,
  trigger: Trigger,
  envelope: Envelope,
  opts: { applyFilters: boolean; okStatus?: number },
): Promise<DeliveryAnswer> {
  const ok = opts.okStatus ?? 200;
  const ids = { delivery_id: d.id, autopilot_id: ap.id, trigger_id: trigger.id };
  const disabled = !trigger.enabled ? "trigger_disabled" : !ap.enabled ? "autopilot_paused" : null;
  if (!disabled && opts.applyFilters && !matchesFilters(trigger.eventFilters, envelope)) {
    return finalise(db, d, "ignored", { status: ok, body: { status: "ignored", ...ids, reason: "event_filtered", event: envelope.event } }, { error: "event_filtered" });
  }
  let outcome;
  try {
    outcome = await dispatchAutopilot(db, { autopilotId: ap.id, trigger, kind: "webhook", context: promptContext(envelope) });
  } catch (err) {
    console.error(`[autopilot-webhook] dispatch of delivery ${d.id} failed: ${(err as Error).message}`);
    return finalise(db, d, "failed", { status: 500, body: { error: "failed to dispatch autopilot", status: "failed", delivery_id: d.id } }, { error: "dispatch_error" });
  }
  switch (outcome.status) {
    case "started":
      return finalise(db, d, "dispatched", { status: ok, body: { status: "accepted", ...ids, run_id: outcome.run.id } }, { runId: outcome.run.id });
    case "skipped": {
      if (disabled || outcome.reason === "trigger_disabled") {
        // The skipped run is still recorded (autopilot_run_skipped), the delivery is ignored.
        const reason = disabled ?? "trigger_disabled";
        return finalise(db, d, "ignored", { status: ok, body: { status: "ignored", ...ids, run_id: outcome.run.id, reason } }, { runId: outcome.run.id, error: reason });
      }
      // Admission-skipped (already running, runtime offline): the delivery did reach the autopilot, which decided
      // not to run; the row and the metric say `dispatched`, linked to the skipped run (inventory §2.2 step 14).
      return finalise(
        db,
        d,
        "dispatched",
        { status: ok, body: { status: "skipped", ...ids, run_id: outcome.run.id, reason: outcome.reason } },
        { runId: outcome.run.id },
      );
    }
    case "failed":
      return finalise(
        db,
        d,
        "failed",
        { status: 500, body: { error: "failed to dispatch autopilot", status: "failed", delivery_id: d.id, run_id: outcome.run.id } },
        { runId: outcome.run.id, error: outcome.reason },
      );
    default:
      return finalise(db, d, "failed", { status: 500, body: { error: "failed to dispatch autopilot", status: "failed", delivery_id: d.id } }, { error: "not_dispatched" });
  }
}
