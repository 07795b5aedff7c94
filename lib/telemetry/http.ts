import { HTTP_METHODS, normalizeHttpMethod, normalizeHttpStatus } from "./labels";
import { families } from "./metrics";
import { activeTraceId } from "@/lib/ops/tracing";

/**
 * Records one HTTP request under its route *pattern* (`/api/workspaces/[id]`), never the raw path.
 * Called by `route()` in lib/http for every handled request.
 */
export function observeHttpRequest(method: string, routePattern: string, status: number, seconds: number): void {
  const f = families();
  // Request.method is already upper case for the standard methods: skip the normaliser's trim/upper-case copy.
  const m = (HTTP_METHODS as readonly string[]).includes(method) ? method : normalizeHttpMethod(method);
  const s = normalizeHttpStatus(status);
  // Cached series per (method, route, status): prom-client's label hashing ran twice per request (issue 15).
  f.httpRequests.incFor(m, routePattern, s);
  if (!(Number.isFinite(seconds) && seconds >= 0)) return;
  // With tracing on, the request's trace id becomes its bucket's exemplar (shown to OpenMetrics scrapers).
  const traceId = activeTraceId();
  if (traceId) f.httpDuration.observeWithExemplar(seconds, traceId, m, routePattern, s);
  else f.httpDuration.observeFor(seconds, m, routePattern, s);
}
