import { config } from "@/lib/config";
import { HttpError, notFound, route } from "@/lib/http";
import { renderMetrics, tokenMatches } from "@/lib/telemetry/exposition";

/** Prometheus scrape endpoint (TELEMETRY.md §7): bearer METRICS_TOKEN; 404 while no token is configured. */
export const GET = route("/api/metrics", async (req) => {
  const expected = config().METRICS_TOKEN;
  if (!expected) throw notFound();
  const header = req.headers.get("authorization") ?? "";
  const presented = header.startsWith("Bearer ") ? header.slice("Bearer ".length).trim() : "";
  if (!presented || !tokenMatches(presented, expected)) {
    throw new HttpError(401, "a valid metrics token is required", { "WWW-Authenticate": 'Bearer realm="metrics"', "Cache-Control": "no-store" });
  }
  const { body, contentType } = await renderMetrics(req.headers.get("accept"));
  return new Response(body, { status: 200, headers: { "Content-Type": contentType, "Cache-Control": "no-store" } });
});
