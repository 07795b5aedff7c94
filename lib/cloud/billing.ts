import { badRequest } from "@/lib/http/errors";
import { matchFleetRoute, proxyToFleet, subPath, type FleetRoute } from "./fleet";

/**
 * `/api/cloud-billing/*` → fleet `/api/v1/billing/*` (inventory §5.1). Billing is per account, not per workspace;
 * the caller must be a human (the route guard refuses cloud-node and daemon tokens).
 */
const get = (upstream: string, query = false): FleetRoute => ({ upstream, user: true, query, body: "none" });
const BILLING_ROUTES: Record<string, FleetRoute> = {
  "GET /balance": get("/api/v1/billing/balance"),
  "GET /transactions": get("/api/v1/billing/transactions", true),
  "GET /batches": get("/api/v1/billing/batches", true),
  "GET /topups": get("/api/v1/billing/topups", true),
  "GET /price-tiers": get("/api/v1/billing/price-tiers"),
  "POST /checkout-sessions": { upstream: "/api/v1/billing/checkout-sessions", user: true, query: false, body: "json" },
  // Whatever the client sends, a portal session is requested without a body.
  "POST /portal-sessions": { upstream: "/api/v1/billing/portal-sessions", user: true, query: false, body: "none" },
};

const SESSION_PREFIX = "/checkout-sessions/";
/** Allow-list: the id goes into the upstream path, so nothing but letters, digits and `_` (no `/`, `.`, `%`). */
const SESSION_ID = /^[A-Za-z0-9_]{1,255}$/;

export const BILLING_PREFIX = "/api/cloud-billing";

export async function proxyBilling(req: Request, who: { userId: string; actorSource: string }): Promise<Response> {
  const sub = subPath(req, BILLING_PREFIX);
  if (sub.startsWith(SESSION_PREFIX) && req.method.toUpperCase() === "GET") {
    const id = sub.slice(SESSION_PREFIX.length);
    if (id === "") throw badRequest("session_id is required");
    if (!SESSION_ID.test(id)) throw badRequest("invalid session_id");
    return proxyToFleet(req, get(""), who, `/api/v1/billing/checkout-sessions/${id}`);
  }
  return proxyToFleet(req, matchFleetRoute(BILLING_ROUTES, req.method, sub), who);
}
