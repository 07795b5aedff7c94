/**
 * Cloud-runtime fleet proxy (integrations inventory §3) and cloud-node `tcn_` tokens (§4), acceptance checks 29–39
 * and 51, against a local fleet stand-in that checks the service credential and can be slow, fail or hang.
 */
import { createServer } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DELETE as runtimeDELETE, GET as runtimeGET, POST as runtimePOST } from "@/app/api/cloud-runtime/[[...path]]/route";
import { GET as billingGET } from "@/app/api/cloud-billing/[...path]/route";
import { DELETE as meDELETE, GET as meGET } from "@/app/api/me/route";
import { POST as tokensPOST } from "@/app/api/tokens/route";
import { POST as daemonTokensPOST } from "@/app/api/runtimes/daemon-tokens/route";
import { POST as registerPOST } from "@/app/api/daemon/register/route";
import { resetConfigForTests } from "@/lib/config";
import { cloudNodeCacheKey } from "@/lib/cloud/node-tokens";
import { getStore } from "@/lib/store";
import { call, type Session } from "@/tests/helpers/api";
import { bearer, daemonTokenFor } from "@/tests/helpers/daemon";
import { startFleet, useFleetEnv, type FleetStandIn } from "@/tests/helpers/fleet";
import { scrape, sampleOf } from "@/tests/helpers/scrape";
import { ownerWithWorkspace } from "@/tests/helpers/workspace";
import { TEST_REDIS_URL } from "@/tests/setup/services";

const saved = { ...process.env };
let fleet: FleetStandIn;
let human: Session;
/** `human`'s workspace: the proxy is for workspace members (inventory §3.1). */
let humanWorkspace: Record<string, string>;

beforeAll(async () => {
  process.env.SAMPLER_ENABLED = "false";
  fleet = await startFleet();
  const w = await ownerWithWorkspace("Fleet Users");
  human = w.owner;
  humanWorkspace = w.headers;
});
afterAll(async () => {
  await fleet.stop();
  process.env = { ...saved };
  resetConfigForTests();
});
beforeEach(() => {
  fleet.requests.length = 0;
  fleet.handle = (r) => ({ json: { ok: true }, headers: { "x-request-id": String(r.headers["x-request-id"] ?? "") } });
  fleet.verify = undefined;
  useFleetEnv(fleet, { CLOUD_FLEET_TIMEOUT_MS: undefined });
  resetConfigForTests();
});

const handlers = { GET: runtimeGET, POST: runtimePOST, DELETE: runtimeDELETE } as const;
function runtime(method: keyof typeof handlers, sub: string, opts: { session?: Session; headers?: Record<string, string>; rawBody?: string } = {}) {
  return call(handlers[method], {
    method,
    path: `/api/cloud-runtime${sub}`,
    session: opts.headers?.authorization ? undefined : (opts.session ?? human),
    headers: { ...humanWorkspace, ...(opts.rawBody !== undefined ? { "content-type": "application/json" } : {}), ...opts.headers },
    rawBody: opts.rawBody,
  });
}

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe("/api/cloud-runtime/*", () => {
  it("check 29: no fleet URL → 503 cloud runtime is not configured, once the caller is a known workspace member", async () => {
    useFleetEnv(undefined);
    resetConfigForTests();
    const res = await runtime("GET", "/nodes");
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: "cloud runtime is not configured" });
    expect((await call(runtimeGET, { path: "/api/cloud-runtime/nodes", headers: humanWorkspace })).status).toBe(401);
  });

  it("is for members of the workspace named: none → 400, another workspace → 404, nothing reaches the fleet", async () => {
    const none = await call(runtimeGET, { path: "/api/cloud-runtime/nodes", session: human });
    expect(none.status).toBe(400);
    expect(none.body.error).toMatch(/workspace/);
    const other = await ownerWithWorkspace("Not Yours");
    expect((await runtime("GET", "/nodes", { headers: other.headers })).status).toBe(404);
    const bySlug = { "x-workspace-slug": other.workspace.slug };
    expect((await call(runtimeGET, { path: "/api/cloud-runtime/nodes", session: human, headers: bySlug })).status).toBe(404);
    expect(fleet.requests).toHaveLength(0);
    expect((await call(runtimeGET, { path: "/api/cloud-runtime/nodes", session: other.owner, headers: bySlug })).status).toBe(200);
  });

  it("forwards every route of the table to its upstream path, with the query only on GET /nodes", async () => {
    const cases: [keyof typeof handlers, string, string, string | undefined][] = [
      ["GET", "", "/api/v1/", undefined],
      ["GET", "/healthz", "/healthz", undefined],
      ["GET", "/readyz", "/readyz", undefined],
      ["GET", "/nodes?page=2&state=running", "/api/v1/nodes?page=2&state=running", undefined],
      ["POST", "/nodes", "/api/v1/nodes", '{"size":"small"}'],
      ["DELETE", "/nodes", "/api/v1/nodes", '{"id":"n1"}'],
      ["POST", "/nodes/start", "/api/v1/nodes/start", '{"id":"n1"}'],
      ["POST", "/nodes/stop", "/api/v1/nodes/stop", '{"id":"n1"}'],
      ["POST", "/nodes/reboot", "/api/v1/nodes/reboot", '{"id":"n1"}'],
      ["POST", "/nodes/status", "/api/v1/nodes/status", '{"id":"n1"}'],
      ["POST", "/nodes/exec?x=1", "/api/v1/nodes/exec", '{"id":"n1","cmd":"ls"}'],
    ];
    for (const [method, sub, upstream, body] of cases) {
      fleet.requests.length = 0;
      const res = await runtime(method, sub, { rawBody: body });
      expect(res.status, `${method} ${sub}`).toBe(200);
      const [up] = fleet.requests;
      expect(up!.method).toBe(method);
      expect(up!.url).toBe(upstream);
      expect(up!.body.toString()).toBe(body ?? "");
      expect(up!.headers["content-type"]).toBe(body ? "application/json" : undefined);
      expect(up!.headers["x-user-id"]).toBe(sub.startsWith("/healthz") || sub.startsWith("/readyz") ? undefined : human.user.id);
    }
    expect((await runtime("GET", "/nodes/../../admin")).status).toBe(404);
    const wrongMethod = await runtime("GET", "/nodes/start");
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("OPTIONS, POST");
    expect(wrongMethod.body.error).toBe("method GET is not allowed here");
    expect((await runtime("GET", "/nodes")).status).toBe(200);
    expect((await call(runtimeGET, { path: "/api/cloud-runtime/nodes" })).status).toBe(401);
  });

  it("check 30: an empty body → 400, non-JSON → 400, 1 MiB + 1 byte → 413; none reaches the fleet", async () => {
    let res = await runtime("POST", "/nodes", { rawBody: "  \n" });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: "request body is required" });
    res = await runtime("POST", "/nodes", { rawBody: "{nope" });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: "invalid request body" });
    res = await runtime("POST", "/nodes", { rawBody: `"${"x".repeat(1024 * 1024 - 1)}"` });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: "request body is too large" });
    expect(fleet.requests).toHaveLength(0);
  });

  it("bad input stops here as on every route: NUL, lone surrogates, deep nesting, invalid UTF-8, a non-object body", async () => {
    const bad: [string | Buffer, RegExp][] = [
      ['{"name":"x\\u0000"}', /name/],
      ['{"name":"\\ud800"}', /name/],
      [`${"[".repeat(1000)}${"]".repeat(1000)}`, /nested deeper/],
      [Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), /not valid UTF-8/],
      ["[1,2]", /must be a JSON object/],
      ['"just a string"', /must be a JSON object/],
    ];
    for (const [rawBody, message] of bad) {
      const res = await runtime("POST", "/nodes", { rawBody: rawBody as string });
      expect(res.status, String(rawBody).slice(0, 20)).toBe(400);
      expect(res.body.error).toMatch(message);
    }
    expect(fleet.requests).toHaveLength(0);
  });

  it("check 31: upstream text/plain 502 → 502 {error}; upstream 204 → 204 without a body; JSON errors pass through", async () => {
    fleet.handle = () => ({ status: 502, text: "fleet failed" });
    let res = await runtime("GET", "/nodes");
    expect(res.status).toBe(502);
    expect(res.body).toEqual({ error: "fleet failed" });
    expect(res.headers.get("content-type")).toBe("application/json");
    fleet.handle = () => ({ status: 204 });
    res = await runtime("DELETE", "/nodes", { rawBody: '{"id":"n1"}' });
    expect(res.status).toBe(204);
    expect(res.body).toBeNull();
    fleet.handle = () => ({ status: 409, json: { error: "node busy", code: "busy" } });
    res = await runtime("POST", "/nodes/stop", { rawBody: "{}" });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ error: "node busy", code: "busy" });
  });

  it("check 32: a hanging fleet → 504 within the timeout; a slow one within it answers; a refused connection → 502", async () => {
    useFleetEnv(fleet, { CLOUD_FLEET_TIMEOUT_MS: "400" });
    resetConfigForTests();
    fleet.handle = () => ({ hang: true });
    const started = Date.now();
    let res = await runtime("GET", "/nodes");
    expect(res.status).toBe(504);
    expect(res.body).toEqual({ error: "cloud runtime request timed out" });
    expect(Date.now() - started).toBeLessThan(3000);
    fleet.handle = () => ({ delayMs: 100, json: { slow: true } });
    res = await runtime("GET", "/nodes");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ slow: true });
    useFleetEnv({ url: `http://127.0.0.1:${await closedPort()}`, token: fleet.token });
    resetConfigForTests();
    res = await runtime("GET", "/nodes");
    expect(res.status).toBe(502);
    expect(res.body).toEqual({ error: "cloud runtime request failed" });
  });

  it("check 33: X-User-ID, X-Request-ID and X-Actor-Source are ours; the caller's copies and X-User-PAT never reach the fleet", async () => {
    fleet.handle = () => ({ json: {}, headers: { "x-request-id": "upstream-rid" } });
    let res = await runtime("POST", "/nodes", {
      rawBody: "{}",
      headers: { "x-request-id": "client-rid-1", "x-user-id": "00000000-0000-0000-0000-000000000000", "x-actor-source": "cloud_pat", "x-user-pat": "tdm_x" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe("upstream-rid");
    let up = fleet.requests.at(-1)!;
    expect(up.headers["x-user-id"]).toBe(human.user.id);
    expect(up.headers["x-request-id"]).toBe("client-rid-1");
    expect(up.headers["x-actor-source"]).toBe("human");
    expect(up.headers["x-user-pat"]).toBeUndefined();
    expect(up.headers.authorization).toBe(`Bearer ${fleet.token}`);
    // No (or an unusable) incoming request id → a generated one.
    res = await runtime("GET", "/nodes", { headers: { "x-request-id": "bad id\twith spaces" } });
    up = fleet.requests.at(-1)!;
    expect(up.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("the fleet refuses a wrong service credential (the stand-in checks it) and that status is relayed", async () => {
    useFleetEnv({ url: fleet.url, token: "wrong" });
    resetConfigForTests();
    const res = await runtime("GET", "/nodes");
    expect(res.status).toBe(401);
    expect(fleet.requests.at(-1)!.headers.authorization).toBe("Bearer wrong");
  });

  it("check 34: op inference and status buckets in tandem_cloudruntime_request_total / _duration_seconds", async () => {
    const t0 = await scrape();
    const v = (t: string, op: string, status: string) => sampleOf(t, "tandem_cloudruntime_request_total", { op, status });
    const d = (t: string, op: string) => sampleOf(t, "tandem_cloudruntime_request_duration_seconds_count", { op });
    await runtime("GET", "/nodes");
    await runtime("POST", "/nodes", { rawBody: "{}" });
    await runtime("DELETE", "/nodes", { rawBody: "{}" });
    await runtime("POST", "/nodes/exec", { rawBody: "{}" });
    await runtime("GET", "/healthz");
    await runtime("GET", "");
    fleet.handle = () => ({ status: 404, json: { error: "no node" } });
    await runtime("POST", "/nodes/start", { rawBody: "{}" });
    fleet.handle = () => ({ status: 503, json: { error: "down" } });
    await runtime("POST", "/nodes/reboot", { rawBody: "{}" });
    const t1 = await scrape();
    expect(v(t1, "status", "ok")).toBe(v(t0, "status", "ok") + 2);
    expect(v(t1, "provision", "ok")).toBe(v(t0, "provision", "ok") + 1);
    expect(v(t1, "terminate", "ok")).toBe(v(t0, "terminate", "ok") + 1);
    expect(v(t1, "gateway", "ok")).toBe(v(t0, "gateway", "ok") + 1);
    expect(v(t1, "fleet", "ok")).toBe(v(t0, "fleet", "ok") + 1);
    expect(v(t1, "provision", "4xx")).toBe(v(t0, "provision", "4xx") + 1);
    expect(v(t1, "terminate", "5xx")).toBe(v(t0, "terminate", "5xx") + 1);
    expect(d(t1, "status")).toBe(d(t0, "status") + 2);
    expect(d(t1, "gateway")).toBe(d(t0, "gateway") + 1);
    // A timeout counts as `timeout`, a refused connection as `error`.
    useFleetEnv(fleet, { CLOUD_FLEET_TIMEOUT_MS: "200" });
    resetConfigForTests();
    fleet.handle = () => ({ hang: true });
    await runtime("GET", "/nodes");
    useFleetEnv({ url: `http://127.0.0.1:${await closedPort()}`, token: "x" });
    resetConfigForTests();
    await runtime("GET", "/nodes");
    const t2 = await scrape();
    expect(v(t2, "status", "timeout")).toBe(v(t1, "status", "timeout") + 1);
    expect(v(t2, "status", "error")).toBe(v(t1, "status", "error") + 1);
  });
});

describe("cloud-node tokens (tcn_)", () => {
  const tcn = () => `tcn_${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  const me = (token: string, headers: Record<string, string> = {}) => call(meGET, { path: "/api/me", headers: { ...bearer(token), ...headers } });
  const verifyCalls = () => fleet.calls("/api/v1/pat/verify").length;

  it("check 35: with no fleet URL a tcn_ token is 401 invalid token on API and daemon routes (no other token kind is tried)", async () => {
    useFleetEnv(undefined);
    resetConfigForTests();
    const res = await me(tcn());
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: "invalid token" });
    const daemon = await call(registerPOST, { path: "/api/daemon/register", headers: bearer(tcn()), body: {} });
    expect(daemon.status).toBe(401);
    expect(daemon.body).toEqual({ error: "invalid token" });
  });

  it("check 36: revoked → 401; fleet 500, a hang or no fleet at all → 503 cloud pat verifier unavailable", async () => {
    const token = tcn();
    fleet.tokens.set(token, { valid: false, reason: "token_revoked" });
    let res = await me(token);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: "invalid token" });
    fleet.verify = () => ({ status: 500, text: "boom" });
    res = await me(tcn());
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: "cloud pat verifier unavailable" });
    fleet.verify = () => ({ json: { valid: true, owner_id: "" } }); // valid without an owner: fail closed
    expect((await me(tcn())).status).toBe(503);
    fleet.verify = () => ({ text: "not json" });
    expect((await me(tcn())).status).toBe(503);
    useFleetEnv({ url: `http://127.0.0.1:${await closedPort()}`, token: fleet.token });
    resetConfigForTests();
    expect((await me(tcn())).status).toBe(503);
  });

  it("check 37: a valid token whose owner has no local user → 401, nothing cached, the next request asks the fleet again", async () => {
    const token = tcn();
    fleet.tokens.set(token, { valid: true, owner_id: "6f1c2a54-7d3e-4b8a-9c0d-1e2f3a4b5c6d", instance_id: "i-1", instance_record_id: "r-1" });
    expect((await me(token)).status).toBe(401);
    expect(await (await getStore()).get(cloudNodeCacheKey(token))).toBeNull();
    expect((await me(token)).status).toBe(401);
    expect(verifyCalls()).toBe(2);
    fleet.tokens.set(token, { valid: true, owner_id: "not-a-uuid" });
    expect((await me(token)).status).toBe(401);
  });

  it("check 38: a success is cached under the token's SHA-256 for 60 s; the next request makes no fleet call", async () => {
    const token = tcn();
    fleet.tokens.set(token, { valid: true, owner_id: human.user.id, instance_id: "i-1", instance_record_id: "r-1" });
    const first = await me(token);
    expect(first.status).toBe(200);
    expect(first.body.user?.id ?? first.body.id).toBe(human.user.id);
    const cached = await (await getStore()).get(cloudNodeCacheKey(token));
    expect(JSON.parse(cached!)).toEqual({ o: human.user.id, i: "i-1", r: "r-1" });
    expect(cloudNodeCacheKey(token)).toMatch(/^auth:tcn:[0-9a-f]{64}$/);
    expect((await me(token)).status).toBe(200);
    expect(verifyCalls()).toBe(1);
    const [verify] = fleet.calls("/api/v1/pat/verify");
    expect(JSON.parse(verify!.body.toString())).toEqual({ token });
    expect(verify!.headers.authorization).toBe(`Bearer ${fleet.token}`);
    if (process.env.TEST_BACKEND === "postgres") {
      const { Redis } = await import("ioredis");
      const r = new Redis(TEST_REDIS_URL);
      const ttl = await r.pttl(`${process.env.REDIS_KEY_PREFIX}${cloudNodeCacheKey(token)}`);
      r.disconnect();
      expect(ttl).toBeGreaterThan(55_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
    }
  });

  it("check 39: a tcn_ caller is stamped X-Actor-Source cloud_pat (a client copy is discarded) and is refused by billing", async () => {
    const token = tcn();
    fleet.tokens.set(token, { valid: true, owner_id: human.user.id });
    const res = await runtime("POST", "/nodes", { rawBody: "{}", headers: { ...bearer(token), "x-actor-source": "human" } });
    expect(res.status).toBe(200);
    const up = fleet.calls("/api/v1/nodes").at(-1)!;
    expect(up.headers["x-actor-source"]).toBe("cloud_pat");
    expect(up.headers["x-user-id"]).toBe(human.user.id);
    expect(up.headers.authorization).toBe(`Bearer ${fleet.token}`); // never the caller's token
    const billing = await call(billingGET, { path: "/api/cloud-billing/balance", headers: { ...bearer(token), "x-actor-source": "human" } });
    expect(billing.status).toBe(403);
    // Nor can it mint personal or daemon tokens, or erase its owner's account.
    expect((await call(tokensPOST, { path: "/api/tokens", headers: bearer(token), body: { name: "escalate" } })).status).toBe(403);
    expect((await call(daemonTokensPOST, { path: "/api/runtimes/daemon-tokens", headers: bearer(token), body: { name: "x" } })).status).toBe(403);
    expect((await call(meDELETE, { method: "DELETE", path: "/api/me", headers: bearer(token), body: { confirm_email: "x" } })).status).toBe(403);
  });

  it("a tcn_ caller acts as its owner on daemon routes, with membership checks (no daemon workspace binding)", async () => {
    const { owner, workspace } = await ownerWithWorkspace("Cloud Nodes");
    const other = await ownerWithWorkspace("Elsewhere");
    const token = tcn();
    fleet.tokens.set(token, { valid: true, owner_id: owner.user.id });
    const body = (ws: string) => ({ workspace_id: ws, daemon_id: "cloud-node-1", runtimes: [{ name: "claude", provider: "claude" }] });
    const ok = await call(registerPOST, { path: "/api/daemon/register", headers: bearer(token), body: body(workspace.id) });
    expect(ok.status).toBe(200);
    const no = await call(registerPOST, { path: "/api/daemon/register", headers: bearer(token), body: body(other.workspace.id) });
    expect(no.status).toBe(404);
  });
});

describe("daemon authentication (check 51)", () => {
  it("no Bearer prefix → 401 invalid authorization format; a tdd_ token of workspace A used for B → 404", async () => {
    const res = await call(registerPOST, { path: "/api/daemon/register", headers: { authorization: "Token abc" }, body: {} });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: "invalid authorization format" });
    const a = await ownerWithWorkspace("A");
    const b = await ownerWithWorkspace("B");
    const token = await daemonTokenFor(a.owner, a.workspace.id);
    const cross = await call(registerPOST, {
      path: "/api/daemon/register",
      headers: bearer(token),
      body: { workspace_id: b.workspace.id, daemon_id: "d1", runtimes: [{ name: "x", provider: "claude" }] },
    });
    expect(cross.status).toBe(404);
  });
});
