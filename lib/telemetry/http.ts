import { normalizeHttpMethod, normalizeHttpStatus } from "./labels";
import { families } from "./metrics";

/**
 * Records one HTTP request under its route *pattern* (`/api/workspaces/[id]`), never the raw path.
 * Called by `route()` in lib/http for every handled request.
 */
export function observeHttpRequest(method: string, routePattern: string, status: number, seconds: number): void {
  const f = families();
  const labels = { method: normalizeHttpMethod(method), route: routePattern, status: normalizeHttpStatus(status) };
  f.httpRequests.inc(labels);
  if (Number.isFinite(seconds) && seconds >= 0) f.httpDuration.observe(labels, seconds);
}
