import { AsyncLocalStorage } from "node:async_hooks";
import { CONSENT_COOKIE } from "@/lib/analytics-client/consent";
import { readCookie } from "@/lib/http/request";

/**
 * The browser behind a request, for stitching server events to the person posthog-js already knows (issue 16):
 * its anonymous distinct id and session id, from the tracing headers our own API client sends
 * (`X-POSTHOG-DISTINCT-ID` / `X-POSTHOG-SESSION-ID`) or else from posthog-js's own cookie (a redirect such as the
 * Google callback carries no headers of ours). Used for analytics only, never for authorisation; dropped when the
 * person refused analytics (or has not agreed yet under ANALYTICS_CONSENT=required).
 */
export type Visitor = { anonDistinctId?: string; sessionId?: string };

const store = new AsyncLocalStorage<Visitor>();

/** Runs `fn` with the request's visitor (the route wrapper does this for every API request). */
export function withVisitor<T>(req: Request, fn: () => T): T {
  return store.run(readVisitor(req, process.env), fn);
}

/** The visitor of the request being handled; empty outside one. */
export function currentVisitor(): Visitor {
  return store.getStore() ?? {};
}

const MAX_ID = 200;

/** posthog-js ids (UUIDv7, or our own user ids): letters, digits and a few separators, bounded. */
function cleanId(v: string | null | undefined): string | undefined {
  if (!v || v.length > MAX_ID) return undefined;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 95 || c === 46 || c === 58;
    if (!ok) return undefined;
  }
  return v;
}

/** posthog-js's persistence cookie `ph_<key>_posthog`: `{distinct_id, $sesid: [lastActivity, sessionId, start]}`. */
function fromPostHogCookie(req: Request, key: string): Visitor {
  const raw = key ? readCookie(req, `ph_${key}_posthog`) : undefined;
  if (!raw || raw.length > 4096) return {};
  try {
    const o = JSON.parse(decodeURIComponent(raw)) as { distinct_id?: unknown; $sesid?: unknown };
    const sesid = Array.isArray(o.$sesid) ? o.$sesid[1] : undefined;
    return {
      anonDistinctId: typeof o.distinct_id === "string" ? cleanId(o.distinct_id) : undefined,
      sessionId: typeof sesid === "string" ? cleanId(sesid) : undefined,
    };
  } catch {
    return {};
  }
}

export function readVisitor(req: Request, env: Record<string, string | undefined>): Visitor {
  const choice = readCookie(req, CONSENT_COOKIE);
  const required = (env.ANALYTICS_CONSENT ?? "").trim().toLowerCase() === "required";
  if (choice === "denied" || (required && choice !== "granted")) return {};
  const fallback = fromPostHogCookie(req, (env.POSTHOG_API_KEY ?? "").trim());
  const visitor: Visitor = {
    anonDistinctId: cleanId(req.headers.get("x-posthog-distinct-id")) ?? fallback.anonDistinctId,
    sessionId: cleanId(req.headers.get("x-posthog-session-id")) ?? fallback.sessionId,
  };
  if (!visitor.anonDistinctId) delete visitor.anonDistinctId;
  if (!visitor.sessionId) delete visitor.sessionId;
  return visitor;
}
