import { observeHttpRequest } from "@/lib/telemetry/http";
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
      for (const [k, v] of Object.entries(raw)) if (typeof v === "string") params[k] = v;
      assertCleanRequest(req, params); // NUL / lone surrogates in path, query or headers: a 400 before any handler
      res = await handler(req, params);
    } catch (err) {
      res = errorToResponse(err);
    }
    observeHttpRequest(req.method, pattern, res.status, (performance.now() - started) / 1000);
    return res;
  };
}

export function json(data: unknown, status = 200, headers?: HeadersInit): Response {
  return Response.json(data, { status, headers });
}

export function noContent(headers?: HeadersInit): Response {
  return new Response(null, { status: 204, headers });
}
