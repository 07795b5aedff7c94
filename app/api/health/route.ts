import { route } from "@/lib/http";
import { checkHealth } from "@/lib/ops/health";

export const GET = route("/api/health", async () => {
  const health = await checkHealth();
  return Response.json(health, { status: health.status === "ok" ? 200 : 503, headers: { "Cache-Control": "no-store" } });
});
