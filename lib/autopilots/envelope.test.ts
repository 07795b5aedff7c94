import { describe, expect, it } from "vitest";
import { buildEnvelope, dedupeKeyOf, matchesFilters, parseWebhookBody, splitEvent } from "./envelope";

const h = (o: Record<string, string>) => new Headers(o);
const at = new Date("2026-01-01T00:00:00Z");

describe("webhook envelope", () => {
  it("parses objects and arrays only, without a BOM", () => {
    expect(parseWebhookBody("\uFEFF{}")).toEqual({ ok: true, value: {} });
    expect(parseWebhookBody("[]").ok).toBe(true);
    for (const bad of ["", "  ", "hello", "[", "42", "null", '"x"']) expect(parseWebhookBody(bad).ok, bad).toBe(false);
  });

  it("infers the event: body event, GitHub, GitLab, X-Event-Type, body type/action, default", () => {
    expect(buildEnvelope({ event: "deploy.done", eventPayload: { a: 1 } }, h({}), at)).toMatchObject({ event: "deploy.done", eventPayload: { a: 1 } });
    expect(buildEnvelope({ event: "x", k: 1 }, h({}), at).eventPayload).toEqual({ event: "x", k: 1 });
    expect(buildEnvelope({ action: "opened" }, h({ "x-github-event": "pull_request" }), at).event).toBe("github.pull_request.opened");
    expect(buildEnvelope({}, h({ "x-github-event": "push" }), at).event).toBe("github.push");
    expect(buildEnvelope({}, h({ "x-gitlab-event": "Push Hook" }), at).event).toBe("gitlab.Push Hook");
    expect(buildEnvelope({}, h({ "x-event-type": "build" }), at).event).toBe("build");
    expect(buildEnvelope({ type: "invoice" }, h({}), at).event).toBe("invoice");
    expect(buildEnvelope([], h({ "content-type": "application/json; charset=utf-8" }), at)).toMatchObject({ event: "webhook.received", request: { contentType: "application/json" } });
  });

  it("splits provider events and matches filters (any filter; actions from the suffix or the payload)", () => {
    expect(splitEvent("github.pull_request.opened")).toEqual({ provider: "github", name: "pull_request", action: "opened" });
    expect(splitEvent("deploy.finished")).toEqual({ provider: "", name: "deploy", action: "finished" });
    const pr = { event: "github.pull_request.closed", eventPayload: { action: "closed" } };
    expect(matchesFilters(null, pr)).toBe(true);
    expect(matchesFilters([], pr)).toBe(true);
    expect(matchesFilters([{ event: "pull_request" }], pr)).toBe(true);
    expect(matchesFilters([{ event: "pull_request", actions: ["opened"] }], pr)).toBe(false);
    expect(matchesFilters([{ event: "pull_request", actions: ["opened"] }, { event: "pull_request", actions: ["closed"] }], pr)).toBe(true);
    expect(matchesFilters([{ event: "check_suite", actions: ["success"] }], { event: "github.check_suite", eventPayload: { conclusion: "success" } })).toBe(true);
    expect(matchesFilters([{ event: "push" }], pr)).toBe(false);
    // Malformed stored filters deny every event.
    for (const bad of [{}, "x", [{ actions: ["a"] }], [{ event: "pull_request", actions: "closed" }], [null]]) expect(matchesFilters(bad, pr)).toBe(false);
  });

  it("dedupe key: X-GitHub-Delivery for github triggers, then Idempotency-Key, then X-GitHub-Delivery", () => {
    const both = h({ "x-github-delivery": "gh-1", "idempotency-key": "idem-1" });
    expect(dedupeKeyOf("github", both)).toEqual({ key: "gh-1", source: "x-github-delivery" });
    expect(dedupeKeyOf("generic", both)).toEqual({ key: "idem-1", source: "idempotency-key" });
    expect(dedupeKeyOf("generic", h({ "x-github-delivery": "gh-2" }))).toEqual({ key: "gh-2", source: "x-github-delivery" });
    expect(dedupeKeyOf("generic", h({}))).toBeNull();
  });
});
