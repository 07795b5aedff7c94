import { observeHttpRequest } from "@/lib/telemetry/http";
import { withVisitor } from "@/lib/telemetry/visitor";
import { errorToResponse } from "./errors";
import { assertCleanRequest } from "./text";

type Params = Record<string, string | string[] | undefined>;
export type RouteContext = { params: Promise<Params> };
export type RouteHandler = (req: Request, params: Record<string, string>) => Promise<Response> | Response;

/**
 * Wraps a route handler: maps thrown errors to JSON responses and records HTTP metrics under the route
 * *pattern* (e.g. `/api/workspaces/[id]`), never the raw path. A lint test checks the pattern matches the file.
 * Path params, query and header values are checked for strings the database would refuse (`assertCleanRequest`).
 */
export function route(pattern: string, handler: RouteHandler) {
  return async (req: Request, ctx?: RouteContext): Promise<Response> => {
    const started = performance.now();
    let res: Response;
    try {
      const raw = (await ctx?.params) ?? {};
      const params: Record<string, string> = {};
      const segments: Record<string, string> = {};
      for (const [k, v] of Object.entries(raw)) {
        if (typeof v === "string") params[k] = segments[k] = v;
        else if (Array.isArray(v)) segments[k] = v.join("/"); // a catch-all's segments are checked too
      }
      assertCleanRequest(req, segments); // NUL / lone surrogates in path, query or headers: a 400 before any handler
      // Events recorded while handling carry the browser's analytics session (stitching only, never auth).
      res = await withVisitor(req, () => handler(req, params));
    } catch (err) {
      res = errorToResponse(err);
    }
    observeHttpRequest(req.method, pattern, res.status, (performance.now() - started) / 1000);
    return noStoreByDefault(res);
  };
}

/**
 * API answers are per caller (sessions, tokens, workspace data) and must never sit in a shared cache: `no-store` unless
 * the handler chose its own policy.
 */
function noStoreByDefault(res: Response): Response {
  if (res.headers.has("cache-control")) return res;
  try {
    res.headers.set("Cache-Control", "no-store");
    return res;
  } catch {
    // Response.redirect() and friends have immutable headers.
    const headers = new Headers(res.headers);
    headers.set("Cache-Control", "no-store");
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
  }
}

export function json(data: unknown, status = 200, headers?: HeadersInit): Response {
  return Response.json(data, { status, headers });
}

export function noContent(headers?: HeadersInit): Response {
  return new Response(null, { status: 204, headers });
}
