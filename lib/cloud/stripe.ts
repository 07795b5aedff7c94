import Stripe from "stripe";
import { config } from "@/lib/config";
import type { Db } from "@/lib/db";
import { stripeEvents } from "@/lib/db/schema";
import { badRequest, HttpError, unauthorized, unavailable } from "@/lib/http/errors";
import { readBytes } from "@/lib/http/body";
import { clientIp } from "@/lib/http/request";
import { limitWebhookIp } from "@/lib/autopilots/ingress";
import { recordBusinessOrder, recordRevenue, recordWebhookDelivery } from "@/lib/telemetry";
import { FLEET_BODY_LIMIT, fleetBaseUrl, fleetFetch, relayFleetResponse, requestIdOf } from "./fleet";

/** What one Stripe event adds to the business metrics. */
export type OrderEffect = { orders: string[]; revenue?: { cents: number; currency: string } };

type Obj = Record<string, unknown>;
const str = (v: unknown) => (typeof v === "string" ? v : "");
const int = (v: unknown) => (typeof v === "number" && Number.isInteger(v) ? v : 0);

/**
 * Order and revenue effects of a Stripe event. Revenue is counted where the money is taken, once: one-off checkouts
 * (top-ups) at checkout, subscriptions at each paid invoice (the first invoice's order is the checkout's, so it adds
 * revenue but no second order). Refunds count as orders `refunded`; revenue is a counter and never goes down.
 */
export function orderEffects(event: { type: string; data?: { object?: unknown } }): OrderEffect {
  const o = (event.data?.object ?? {}) as Obj;
  const oneOff = str(o.mode) !== "subscription";
  const money = (cents: number) => (cents > 0 ? { cents, currency: str(o.currency) } : undefined);
  switch (event.type) {
    case "checkout.session.completed": {
      const paid = ["paid", "no_payment_required"].includes(str(o.payment_status));
      // `unpaid`: an asynchronous payment method; the order exists, the money arrives (or not) later.
      if (!paid) return { orders: ["created"] };
      return { orders: ["completed"], revenue: oneOff ? money(int(o.amount_total)) : undefined };
    }
    case "checkout.session.async_payment_succeeded":
      return { orders: ["completed"], revenue: oneOff ? money(int(o.amount_total)) : undefined };
    case "checkout.session.async_payment_failed":
      return { orders: ["failed"] };
    case "invoice.paid":
      return {
        orders: str(o.billing_reason) === "subscription_create" ? [] : ["completed"],
        revenue: money(int(o.amount_paid)),
      };
    case "invoice.payment_failed":
      return { orders: ["failed"] };
    case "charge.refunded":
      return { orders: ["refunded"] };
    default:
      return { orders: [] };
  }
}

/** Counts an event's effects unless its id was seen before (one INSERT decides, so concurrent redeliveries count once). */
export async function countStripeEventOnce(db: Db, event: Stripe.Event): Promise<boolean> {
  const inserted = await db
    .insert(stripeEvents)
    .values({ id: event.id.slice(0, 255), type: event.type.slice(0, 255) })
    .onConflictDoNothing()
    .returning({ id: stripeEvents.id });
  if (inserted.length === 0) return false;
  const effect = orderEffects(event);
  for (const status of effect.orders) recordBusinessOrder(status);
  if (effect.revenue) recordRevenue(effect.revenue.cents, effect.revenue.currency);
  return true;
}

const rejected = (message: string) => {
  recordWebhookDelivery("stripe", "rejected");
  return unauthorized(message);
};

/**
 * POST /api/webhooks/stripe (inventory §5.2, plus local verification): the `Stripe-Signature` is checked with
 * `STRIPE_WEBHOOK_SECRET` by the official library (which also refuses timestamps older than 5 minutes), the event is
 * counted once per id, and the raw bytes are forwarded unchanged to the fleet with the signature and Content-Type.
 */
export async function receiveStripeWebhook(db: Db, req: Request): Promise<Response> {
  fleetBaseUrl(); // 503 "cloud runtime is not configured", as the reference
  await limitWebhookIp(clientIp(req)); // the same per-IP budget as autopilot webhooks
  const secret = config().STRIPE_WEBHOOK_SECRET;
  if (!secret) throw unavailable("stripe webhooks not configured");
  const signature = req.headers.get("stripe-signature");
  if (signature === null) throw rejected("missing Stripe-Signature header");
  let raw: Buffer;
  try {
    raw = await readBytes(req, FLEET_BODY_LIMIT);
  } catch (err) {
    if (err instanceof HttpError && err.status === 413) throw new HttpError(413, "request body is too large");
    throw err;
  }
  let event: Stripe.Event;
  try {
    event = Stripe.webhooks.constructEvent(raw, signature, secret);
  } catch (err) {
    if (err instanceof Stripe.errors.StripeSignatureVerificationError) throw rejected("invalid signature");
    // Signed, but not an event: a bad request, not a forgery.
    recordWebhookDelivery("stripe", "rejected");
    throw badRequest("invalid JSON body");
  }
  const first = await countStripeEventOnce(db, event);

  const result = await fleetFetch({
    method: "POST",
    path: "/api/v1/webhooks/stripe",
    body: raw,
    contentType: req.headers.get("content-type") ?? "application/json",
    headers: { "stripe-signature": signature },
    requestId: requestIdOf(req),
  }).catch((err: unknown) => {
    recordWebhookDelivery("stripe", "failed");
    throw err;
  });
  const ok = result.status >= 200 && result.status < 300;
  recordWebhookDelivery("stripe", !first ? "duplicate" : ok ? "dispatched" : "failed");
  return relayFleetResponse(result);
}
