import { and, count, desc, eq } from "drizzle-orm";
import type { Membership } from "@/lib/auth";
import { isUuid } from "@/lib/auth";
import type { Db } from "@/lib/db";
import { autopilotTriggers, autopilots, webhookDeliveries } from "@/lib/db/schema";
import { badRequest, HttpError, notFound } from "@/lib/http/errors";
import { recordWebhookDelivery } from "@/lib/telemetry";
import { buildEnvelope, parseWebhookBody } from "./envelope";
import { processDelivery, type Delivery } from "./ingress";

/** Webhook deliveries of an autopilot, for its workspace's members (integrations inventory §2.9). */
async function autopilotOf(db: Db, m: Membership, id: string) {
  if (!isUuid(id)) throw notFound("autopilot not found");
  const [ap] = await db.select().from(autopilots).where(and(eq(autopilots.id, id), eq(autopilots.workspaceId, m.workspace.id)));
  if (!ap) throw notFound("autopilot not found");
  return ap;
}

async function deliveryOf(db: Db, autopilotId: string, id: string): Promise<Delivery> {
  if (!isUuid(id)) throw notFound("delivery not found");
  const [d] = await db.select().from(webhookDeliveries).where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.autopilotId, autopilotId)));
  if (!d) throw notFound("delivery not found");
  return d;
}

function summary(d: Delivery) {
  return {
    id: d.id,
    autopilot_id: d.autopilotId,
    trigger_id: d.triggerId,
    provider: d.provider,
    event: d.event,
    status: d.status,
    signature_status: d.signatureStatus,
    dedupe_key: d.dedupeKey,
    dedupe_source: d.dedupeSource,
    attempt_count: d.attemptCount,
    response_status: d.responseStatus,
    autopilot_run_id: d.autopilotRunId,
    replayed_from_delivery_id: d.replayedFromDeliveryId,
    error: d.error,
    content_type: d.contentType,
    received_at: d.receivedAt.toISOString(),
    last_attempt_at: d.lastAttemptAt.toISOString(),
    created_at: d.createdAt.toISOString(),
  };
}

/** The full row: the stored body, the kept headers and what we answered. */
function detail(d: Delivery) {
  return { ...summary(d), raw_body: d.rawBody, selected_headers: d.selectedHeaders, response_body: d.responseBody };
}

export async function listDeliveries(db: Db, m: Membership, autopilotId: string, page: { limit: number; offset: number }) {
  const ap = await autopilotOf(db, m, autopilotId);
  const rows = await db
    .select()
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.autopilotId, ap.id))
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(page.limit)
    .offset(page.offset);
  const [{ n }] = (await db.select({ n: count() }).from(webhookDeliveries).where(eq(webhookDeliveries.autopilotId, ap.id))) as [{ n: number }];
  return { deliveries: rows.map(summary), total: Number(n), limit: page.limit, offset: page.offset };
}

export async function getDelivery(db: Db, m: Membership, autopilotId: string, id: string) {
  const ap = await autopilotOf(db, m, autopilotId);
  return detail(await deliveryOf(db, ap.id, id));
}

/**
 * Replays a stored delivery as a new one (no dedupe key, `replayed_from_delivery_id` set, filters not applied):
 * 201 with the new delivery. Refused (400) for rejected or invalid-signature deliveries, a paused autopilot or a
 * disabled trigger.
 */
export async function replayDelivery(db: Db, m: Membership, autopilotId: string, id: string) {
  const ap = await autopilotOf(db, m, autopilotId);
  const original = await deliveryOf(db, ap.id, id);
  if (original.status === "rejected" || original.signatureStatus === "invalid") throw badRequest("a rejected delivery cannot be replayed");
  if (!original.rawBody) throw badRequest("the delivery has no stored body");
  if (!ap.enabled) throw badRequest("the autopilot is paused");
  const [trigger] = await db.select().from(autopilotTriggers).where(eq(autopilotTriggers.id, original.triggerId));
  if (!trigger) throw notFound("trigger not found");
  if (!trigger.enabled) throw badRequest("the trigger is disabled");
  const body = parseWebhookBody(original.rawBody);
  if (!body.ok) throw badRequest("the stored body is no longer valid JSON");

  const headers = new Headers();
  for (const [k, v] of Object.entries((original.selectedHeaders ?? {}) as Record<string, unknown>)) if (typeof v === "string") headers.set(k, v);
  if (original.contentType) headers.set("content-type", original.contentType);
  const envelope = buildEnvelope(body.value, headers, new Date());
  const [d] = await db
    .insert(webhookDeliveries)
    .values({
      workspaceId: ap.workspaceId,
      autopilotId: ap.id,
      triggerId: trigger.id,
      provider: original.provider,
      event: envelope.event,
      signatureStatus: "not_required",
      selectedHeaders: original.selectedHeaders,
      contentType: original.contentType,
      rawBody: original.rawBody,
      replayedFromDeliveryId: original.id,
      status: "queued",
    })
    .returning();
  recordWebhookDelivery(d!.provider, "queued");
  const answer = await processDelivery(db, d!, ap, trigger, envelope, { applyFilters: false, okStatus: 201 });
  if (answer.status >= 500) throw new HttpError(500, String(answer.body.error ?? "failed to dispatch autopilot"));
  return detail(await deliveryOf(db, ap.id, d!.id));
}
