import { route } from "@/lib/http";
import { DEPENDENCY_RETRY_AFTER_SECONDS } from "@/lib/http/errors";
import { checkHealth } from "@/lib/ops/health";

export const GET = route("/api/health", async () => {
  const health = await checkHealth();
  if (health.status === "ok") return Response.json(health, { headers: { "Cache-Control": "no-store" } });
  // Degraded answers like every other API answer during an outage: a 503 that says when to look again.
  return Response.json(health, { status: 503, headers: { "Cache-Control": "no-store", "Retry-After": String(DEPENDENCY_RETRY_AFTER_SECONDS) } });
});
