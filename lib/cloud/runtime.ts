import { matchFleetRoute, proxyToFleet, subPath, type FleetRoute } from "./fleet";

/**
 * `/api/cloud-runtime/*` → the fleet (integrations inventory §3.1): a fixed table, so nothing but these paths ever
 * reaches the fleet. The caller is authenticated (session, `tdm_` or `tcn_`); X-User-ID and X-Request-ID are ours.
 */
const r = (upstream: string, user = true, opts: Partial<FleetRoute> = {}): FleetRoute => ({ upstream, user, query: false, body: "none", ...opts });
const json = (upstream: string) => r(upstream, true, { body: "json" });

const RUNTIME_ROUTES: Record<string, FleetRoute> = {
  "GET /": r("/api/v1/"),
  "GET /healthz": r("/healthz", false),
  "GET /readyz": r("/readyz", false),
  "GET /nodes": r("/api/v1/nodes", true, { query: true }),
  "POST /nodes": json("/api/v1/nodes"),
  "DELETE /nodes": json("/api/v1/nodes"),
  "POST /nodes/start": json("/api/v1/nodes/start"),
  "POST /nodes/stop": json("/api/v1/nodes/stop"),
  "POST /nodes/reboot": json("/api/v1/nodes/reboot"),
  "POST /nodes/status": json("/api/v1/nodes/status"),
  "POST /nodes/exec": json("/api/v1/nodes/exec"),
};

export const CLOUD_RUNTIME_PREFIX = "/api/cloud-runtime";

export async function proxyCloudRuntime(req: Request, who: { userId: string; actorSource: string }): Promise<Response> {
  const sub = subPath(req, CLOUD_RUNTIME_PREFIX);
  return proxyToFleet(req, matchFleetRoute(RUNTIME_ROUTES, req.method, sub), who);
}
