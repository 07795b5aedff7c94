import { parseJsonText } from "@/lib/http/text";
/**
 * Autopilot webhook payloads (integrations inventory §2.3–2.4): the event name a delivery carries, the event filters
 * a trigger applies, and the dedupe key. Pure functions.
 */
export type Envelope = { event: string; eventPayload: unknown; request: { receivedAt: string; contentType: string } };
export type EventFilter = { event: string; actions?: string[] };

const PROVIDERS = new Set(["github", "gitlab", "bitbucket", "gitea"]);
const MAX_EVENT = 200;
const str = (v: unknown) => (typeof v === "string" ? v : "");

/** The body as an object or array, or an error message (empty, invalid JSON, a scalar). A UTF-8 BOM is dropped. */
export function parseWebhookBody(text: string): { ok: true; value: object } | { ok: false; error: string } {
  const t = text.replace(/^\uFEFF/, "");
  if (t.trim() === "") return { ok: false, error: "request body is required" };
  let value: unknown;
  try {
    // The shared reader's checks too: nesting depth, NUL and lone surrogates (the delivery and its run store it).
    value = parseJsonText(t, "body must be a JSON object or array");
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : "body must be a JSON object or array" };
  }
  if (typeof value !== "object" || value === null) return { ok: false, error: "body must be a JSON object or array" };
  return { ok: true, value };
}

/** The event of a delivery: an explicit `event` in the body, else the provider headers, else the body's type fields. */
export function buildEnvelope(body: object, headers: Headers, receivedAt: Date): Envelope {
  const b = (Array.isArray(body) ? {} : body) as Record<string, unknown>;
  const contentType = (headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  const request = { receivedAt: receivedAt.toISOString(), contentType };
  if (str(b.event)) return { event: str(b.event).slice(0, MAX_EVENT), eventPayload: "eventPayload" in b ? b.eventPayload : body, request };
  let event = "webhook.received";
  const gh = headers.get("x-github-event")?.trim();
  const gl = headers.get("x-gitlab-event")?.trim();
  const typed = headers.get("x-event-type")?.trim();
  if (gh) event = str(b.action) ? `github.${gh}.${str(b.action)}` : `github.${gh}`;
  else if (gl) event = `gitlab.${gl}`;
  else if (typed) event = typed;
  else event = str(b.event) || str(b.type) || str(b.action) || event;
  return { event: event.slice(0, MAX_EVENT), eventPayload: body, request };
}

/** `github.pull_request.opened` → {name: pull_request, action: opened}; `deploy.finished` → {deploy, finished}. */
export function splitEvent(event: string): { provider: string; name: string; action: string } {
  const parts = event.split(".");
  if (parts.length > 1 && PROVIDERS.has(parts[0]!.toLowerCase())) return { provider: parts[0]!.toLowerCase(), name: parts[1] ?? "", action: parts.slice(2).join(".") };
  return { provider: "", name: parts[0] ?? "", action: parts.slice(1).join(".") };
}

/** Valid stored filters, or null when they are malformed (which denies every event). */
export function parseFilters(raw: unknown): EventFilter[] | null {
  if (raw === null || raw === undefined) return [];
  if (!Array.isArray(raw)) return null;
  const out: EventFilter[] = [];
  for (const f of raw) {
    if (typeof f !== "object" || f === null || typeof (f as EventFilter).event !== "string" || !(f as EventFilter).event) return null;
    const actions = (f as EventFilter).actions;
    if (actions !== undefined && (!Array.isArray(actions) || actions.some((a) => typeof a !== "string"))) return null;
    out.push({ event: (f as EventFilter).event, actions });
  }
  return out;
}

/** Does a delivery pass the trigger's filters? Empty/NULL allows all; malformed denies all; one match is enough. */
export function matchesFilters(rawFilters: unknown, envelope: Pick<Envelope, "event" | "eventPayload">): boolean {
  const filters = parseFilters(rawFilters);
  if (filters === null) return false;
  if (filters.length === 0) return true;
  const { name, action } = splitEvent(envelope.event);
  const p = (typeof envelope.eventPayload === "object" && envelope.eventPayload !== null ? envelope.eventPayload : {}) as Record<string, unknown>;
  const candidates = new Set([action, str(p.action), str(p.state), str(p.conclusion), str(p.status)].filter(Boolean));
  return filters.some((f) => f.event === name && (!f.actions?.length || f.actions.some((a) => candidates.has(a))));
}

/** The dedupe key (§2.4): X-GitHub-Delivery for github triggers, else Idempotency-Key, else X-GitHub-Delivery. */
export function dedupeKeyOf(provider: string, headers: Headers): { key: string; source: string } | null {
  const clip = (v: string | null) => (v && v.trim() ? v.trim().slice(0, 200) : null);
  const gh = clip(headers.get("x-github-delivery"));
  const idem = clip(headers.get("idempotency-key"));
  if (provider === "github" && gh) return { key: gh, source: "x-github-delivery" };
  if (idem) return { key: idem, source: "idempotency-key" };
  if (gh) return { key: gh, source: "x-github-delivery" };
  return null;
}

const KEPT_HEADERS = ["user-agent", "x-github-event", "x-github-delivery", "x-gitlab-event", "x-event-type", "idempotency-key"];

/** The request headers kept with a delivery (never the signature itself: only whether one was sent). */
export function selectedHeaders(headers: Headers): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (const h of KEPT_HEADERS) {
    const v = headers.get(h);
    if (v !== null) out[h] = v.slice(0, 500);
  }
  out["x-hub-signature-256-present"] = headers.has("x-hub-signature-256");
  return out;
}
