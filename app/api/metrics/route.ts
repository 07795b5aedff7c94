import { config } from "@/lib/config";
import { HttpError, route } from "@/lib/http";
import { renderMetrics, tokenMatches } from "@/lib/telemetry/exposition";

/** Prometheus scrape endpoint (TELEMETRY.md §7): bearer METRICS_TOKEN; 404 while no token is configured. */
export const GET = route("/api/metrics", async (req) => {
  const expected = config().METRICS_TOKEN;
  if (!expected) throw new HttpError(404, "not found", { "Cache-Control": "no-store" });
  const presented = /^Bearer\s+(\S+)$/i.exec(req.headers.get("authorization") ?? "")?.[1] ?? "";
  if (!presented || !tokenMatches(presented, expected)) {
    throw new HttpError(401, "a valid metrics token is required", { "WWW-Authenticate": 'Bearer realm="metrics"', "Cache-Control": "no-store" });
  }
  const { body, contentType } = await renderMetrics(req.headers.get("accept"));
  return new Response(body, { status: 200, headers: { "Content-Type": contentType, "Cache-Control": "no-store" } });
});
