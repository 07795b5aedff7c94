/**
 * Hostile traffic for the cardinality test (TELEMETRY.md §5): the integration routes driven over HTTP with random
 * event types, currencies, paths and headers, against a local fleet stand-in.
 */
import Stripe from "stripe";
import { POST as stripePOST } from "@/app/api/webhooks/stripe/route";
import { GET as billingGET } from "@/app/api/cloud-billing/[...path]/route";
import { GET as runtimeGET, POST as runtimePOST } from "@/app/api/cloud-runtime/[[...path]]/route";
import { resetConfigForTests } from "@/lib/config";
import { call } from "./api";
import { ownerWithWorkspace } from "./workspace";
import { startFleet, useFleetEnv } from "./fleet";
import { GITHUB_SECRET, sendGithub } from "./github";

type Rand = (known?: readonly string[]) => string;

const STRIPE_TYPES = ["checkout.session.completed", "invoice.paid", "charge.refunded", "invoice.payment_failed", "checkout.session.async_payment_succeeded"];

export async function driveIntegrations(randomValue: Rand, headerValue: Rand): Promise<void> {
  const fleet = await startFleet();
  const secret = "whsec_cardinality";
  useFleetEnv(fleet, { STRIPE_WEBHOOK_SECRET: secret, TANDEM_SERVER: "1", GITHUB_WEBHOOK_SECRET: GITHUB_SECRET });
  resetConfigForTests();
  let n = 0;
  fleet.handle = () => [{ json: { ok: true } }, { status: 500, text: randomValue() }, { status: 404, json: {} }][n++ % 3]!;
  try {
    const { owner: user, headers: inWorkspace } = await ownerWithWorkspace("Traffic");
    for (let i = 0; i < 200; i++) {
      const payload = JSON.stringify({
        id: `evt_card_${i % 150}`,
        type: randomValue(STRIPE_TYPES),
        data: { object: { mode: randomValue(["payment"]), payment_status: randomValue(["paid"]), amount_total: 100 + i, amount_paid: 50 + i, currency: randomValue(["usd", "eur", "gbp", "jpy"]) } },
      });
      await call(stripePOST, {
        path: "/api/webhooks/stripe",
        rawBody: payload,
        noOrigin: true,
        headers: { "stripe-signature": Stripe.webhooks.generateTestHeaderString({ payload, secret }), "x-tandem-peer-ip": `10.1.${i % 200}.1` },
      });
      const sub = randomValue(["nodes", "nodes/exec", "nodes/start", "healthz", "readyz", "nodes/status"]);
      await call(i % 2 ? runtimeGET : runtimePOST, {
        method: i % 2 ? "GET" : "POST",
        path: `/api/cloud-runtime/${encodeURIComponent(sub).replace(/%2F/g, "/")}`,
        rawBody: i % 2 ? undefined : "{}",
        headers: { ...inWorkspace, authorization: `Bearer ${i % 5 ? "tdm_" : "tcn_"}${headerValue().replace(/\s/g, "")}`.slice(0, 200) },
      });
      await call(runtimeGET, { path: `/api/cloud-runtime/${encodeURIComponent(sub).replace(/%2F/g, "/")}`, session: user, headers: inWorkspace });
      const kind = randomValue(["pull_request", "pull_request_review", "push", "ping", "check_suite"]).replace(/[^\x20-\x7e]/g, "");
      await sendGithub(kind, { action: randomValue(["opened", "closed", "submitted"]), review: { state: randomValue(["approved", "commented"]) } }, { deliveryId: `card-${i}` });
      await call(billingGET, { path: `/api/cloud-billing/${encodeURIComponent(randomValue(["balance", "topups"]))}`, session: user, headers: { "x-request-id": headerValue() } });
    }
  } finally {
    useFleetEnv(undefined, { STRIPE_WEBHOOK_SECRET: undefined, TANDEM_SERVER: undefined, GITHUB_WEBHOOK_SECRET: undefined });
    resetConfigForTests();
    await fleet.stop();
  }
}
