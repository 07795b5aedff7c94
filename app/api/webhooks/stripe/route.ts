import { getDb } from "@/lib/db";
import { route } from "@/lib/http";
import { receiveStripeWebhook } from "@/lib/cloud/stripe";

/** Public: authenticated only by the `Stripe-Signature` (verified locally, then forwarded to the fleet). */
export const POST = route("/api/webhooks/stripe", async (req) => receiveStripeWebhook(await getDb(), req));
