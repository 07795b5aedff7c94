/**
 * Property-based fuzz over the whole API (issue 11, "tests that stay"). The route list is read from disk
 * (app/api/**\/route.ts) and every exported method handler is called in-process with generated path params, query,
 * headers and body — hostile strings (NUL, lone surrogates, huge, unicode), out-of-range numbers, deep and malformed
 * JSON — mixed with real ids and credentials so requests get past the guards. The properties:
 *   - no 5xx, and every error is JSON `{"error": "..."}`;
 *   - a rejected request (4xx) changes nothing in the database;
 *   - afterwards no metric label is outside its allow-list (tests/helpers/label-bounds.ts).
 * A new route file is covered automatically. FUZZ_RUNS sets the runs per handler (default 8; raise it locally).
 */
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import fc from "fast-check";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as createAutopilot } from "@/app/api/autopilots/route";
import { POST as createIssue } from "@/app/api/issues/route";
import { GET as me } from "@/app/api/me/route";
import { POST as createToken } from "@/app/api/tokens/route";
import { POST as register } from "@/app/api/daemon/register/route";
import { POST as claim } from "@/app/api/daemon/runtimes/[id]/tasks/claim/route";
import { POST as createSquad } from "@/app/api/squads/route";
import { POST as invite } from "@/app/api/workspaces/[id]/invitations/route";
import { resetConfigForTests } from "@/lib/config";
import { getDb } from "@/lib/db";
import { registry } from "@/lib/telemetry/metrics";
import { MemorySink, setSinkForTests } from "@/lib/telemetry/sink";
import { call, ORIGIN, signIn, type Session } from "./helpers/api";
import { bearer, daemonTokenFor } from "./helpers/daemon";
import { labelOffences } from "./helpers/label-bounds";
import { newAgent } from "./helpers/work";
import { ownerWithWorkspace } from "./helpers/workspace";
import { appSources } from "./lint/source";

const RUNS = Number(process.env.FUZZ_RUNS ?? 8);
const ROOT = path.resolve(__dirname, "..");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
type Route = { pattern: string; method: (typeof METHODS)[number]; handler: Handler; params: string[] };

// ---- the route list, from disk ----------------------------------------------------------------------------------

function routeFiles(dir = path.join(ROOT, "app/api"), out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) routeFiles(full, out);
    else if (name === "route.ts") out.push(full);
  }
  return out;
}

async function loadRoutes(): Promise<Route[]> {
  const routes: Route[] = [];
  for (const file of routeFiles().sort()) {
    const pattern = path.relative(path.join(ROOT, "app"), path.dirname(file)).split(path.sep).join("/");
    const mod = (await import(file)) as Record<string, unknown>;
    const params = [...pattern.matchAll(/\[([^\]]+)\]/g)].map((m) => m[1]!);
    for (const method of METHODS) {
      if (typeof mod[method] === "function") routes.push({ pattern: `/${pattern}`, method, handler: mod[method] as Handler, params });
    }
  }
  // Calls that end the caller's own session or account run last, so they do not lock the rest out.
  const last = (r: Route) => r.method === "DELETE" || r.pattern === "/api/auth/logout";
  return [...routes.filter((r) => !last(r)), ...routes.filter(last)];
}

/** Every property name of an object literal passed to `z.object(...)` / `patchBody(...)` in app/ and lib/. */
function bodyFieldNames(): string[] {
  const names = new Set<string>();
  for (const src of appSources()) {
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n)) {
        const e = n.expression;
        const callee = ts.isPropertyAccessExpression(e) ? e.name.text : ts.isIdentifier(e) ? e.text : "";
        const arg = n.arguments[0];
        if ((callee === "object" || callee === "patchBody" || callee === "strictObject") && arg && ts.isObjectLiteralExpression(arg)) {
          for (const p of arg.properties) if (p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) names.add(p.name.text);
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(src.sf);
  }
  return [...names].sort();
}

// ---- fixtures: real objects, so generated requests reach past the guards ----------------------------------------

type Fixtures = {
  owner: Session;
  token: Session;
  stranger: Session;
  daemonToken: string;
  workspaceId: string;
  ids: string[];
};

async function fixtures(): Promise<Fixtures> {
  const { owner, workspace, headers } = await ownerWithWorkspace("Fuzz Works");
  const stranger = await signIn();
  const daemonToken = await daemonTokenFor(owner, workspace.id);
  const reg = await call(register, {
    path: "/api/daemon/register",
    headers: bearer(daemonToken),
    body: { workspace_id: workspace.id, daemon_id: "fuzz-daemon", device_name: "fuzz", cli_version: "1.0.0", runtimes: [{ name: "Claude", provider: "claude", version: "1", status: "online" }] },
  });
  const runtimeId = reg.body.runtimes[0].id as string;
  const agent = await newAgent(owner, headers, { runtime_id: runtimeId });
  const issue = (await call(createIssue, { path: "/api/issues", session: owner, headers, body: { title: "Fuzz me", assignee_type: "agent", assignee_id: agent.id } })).body;
  const task = (await call(claim, { path: "/x", method: "POST", headers: bearer(daemonToken), params: { id: runtimeId } })).body.task;
  const ap = (
    await call(createAutopilot, {
      path: "/api/autopilots",
      session: owner,
      headers,
      body: { name: "Fuzz", prompt: "p", execution_mode: "run_only", assignee_type: "agent", assignee_id: agent.id, triggers: [{ kind: "webhook" }] },
    })
  ).body;
  const squad = (await call(createSquad, { path: "/api/squads", session: owner, headers, body: { name: "Squad", agent_ids: [agent.id] } })).body;
  const inv = (await call(invite, { path: "/x", session: owner, params: { id: workspace.id }, body: { email: "invitee@example.com", role: "member" } })).body;
  const pat = (await call(createToken, { path: "/api/tokens", session: owner, body: { name: "fuzz" } })).body;
  // Its first use stamps last_used_at (authentication bookkeeping): done here, so the fuzz sees a settled row.
  await call(me, { session: { user: owner.user, token: pat.token } });
  const ids = [workspace.id, runtimeId, agent.id, issue.id, issue.identifier, task?.id, ap.id, ap.triggers?.[0]?.id, ap.triggers?.[0]?.webhook_token, squad?.id, inv?.id, pat.id, owner.user.id, "0".repeat(32)];
  return {
    owner,
    token: { user: owner.user, token: pat.token },
    stranger,
    daemonToken,
    workspaceId: workspace.id,
    ids: ids.filter((x): x is string => typeof x === "string"),
  };
}

let fingerprintQuery: string | undefined;

/** A fingerprint of every table but the login codes (a wrong code counts an attempt, by design). */
async function dbFingerprint(): Promise<string> {
  const db = await getDb();
  const rows = async <T>(q: string) => {
    const res = (await db.execute(sql.raw(q))) as unknown as { rows?: T[] } | T[];
    return Array.isArray(res) ? res : (res.rows ?? []);
  };
  if (!fingerprintQuery) {
    const tables = await rows<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'verification_codes' ORDER BY 1`,
    );
    fingerprintQuery = tables.map((r) => `SELECT '${r.table_name}' AS t, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM "${r.table_name}" x`).join(" UNION ALL ");
  }
  return (await rows<{ t: string; h: string }>(fingerprintQuery)).map((r) => `${r.t}:${r.h}`).join(",");
}

// ---- generators -------------------------------------------------------------------------------------------------

const nested = (n: number) => "[".repeat(n) + "]".repeat(n);

const HOSTILE = [
  "", " ", "\u0000", "a\u0000b", "\ud800", "x\udfff", "😀", "ＷＥＢ", "\u202Eevil", "Dësktop", "null", "undefined", "true", "0", "-1",
  "%", "%00", "%zz", "../../etc/passwd", "<script>alert(1)</script>", "' OR 1=1 --", "a".repeat(5000), "![](a".repeat(2000),
  "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff", "tdm_forged", "awt_forged", "WS-1", "FUZ-999999999",
];
const VALIDISH = ["agent", "member", "squad", "owner", "admin", "create_issue", "run_only", "todo", "done", "urgent", "webhook", "schedule", "0 9 * * *", "Europe/Paris", "claude", "online", "bug", "web", "x@example.com", "fuzz"];

const hostileString = (ids: string[]) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...HOSTILE, ...VALIDISH) },
    { weight: 2, arbitrary: fc.constantFrom(...ids) },
    { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 20 }) },
    { weight: 1, arbitrary: fc.uuid() },
  );

const hostileNumber = fc.oneof(
  fc.integer(),
  fc.constantFrom(3e9, 2 ** 31, 2 ** 31 - 1, -(2 ** 31) - 1, 2 ** 53, 2 ** 63, 1e12, 1e13, 1e308, -1, 0, 0.5, -0.5, 1e-9),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

function bodies(fields: string[], ids: string[]) {
  const field = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...fields) }, { weight: 1, arbitrary: fc.constantFrom("__proto__", "constructor", "\u0000", "") });
  const leaf = fc.oneof(hostileString(ids), hostileNumber, fc.boolean(), fc.constant(null));
  const { value } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      leaf,
      fc.array(tie("value"), { maxLength: 3 }),
      fc.dictionary(field, tie("value"), { maxKeys: 4 }),
    ),
  }));
  const json = fc.dictionary(field, value, { maxKeys: 6 }).map((o) => ({ json: o as unknown }));
  const raw = fc
    .constantFrom("", "{", "[]", "null", "1", '"x"', "\u0000", nested(5000), `{"a":${nested(100)}}`, '{"title":"\\ud800","name":"\\ud800"}', '{"title":"a\\u0000","message":"\\u0000","name":"\\u0000"}', "\ufeff{}")
    .map((r) => ({ raw: r }));
  return fc.oneof({ weight: 4, arbitrary: json }, { weight: 1, arbitrary: raw }, { weight: 1, arbitrary: fc.constant({}) });
}

const QUERY_KEYS = ["workspace_id", "workspace_slug", "q", "limit", "offset", "status", "priority", "assignee", "include_archived", "issue_id", "code", "state", "error"];
const HEADER_NAMES = ["x-workspace-id", "x-workspace-slug", "x-client-platform", "x-client-version", "x-client-os", "user-agent", "x-agent-id", "x-task-id", "content-type", "accept", "x-forwarded-for", "x-tandem-peer-ip", "content-length"];
/** Header values carry bytes: what a client sends arrives as its Latin-1 reading; NUL, CR and LF cannot be sent. */
const headerValue = (ids: string[]) => hostileString(ids).map((s) => Buffer.from(s, "utf8").toString("latin1").replace(/[\u0000-\u001f\u007f]/g, "").trim());

type Auth = "cookie" | "token" | "daemon" | "stranger" | "none";

function requests(route: Route, fields: string[], ids: string[]) {
  const params = fc.record(Object.fromEntries(route.params.map((p) => [p, fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...ids) }, { weight: 1, arbitrary: hostileString(ids) })])));
  return fc.record({
    auth: fc.constantFrom<Auth>("cookie", "cookie", "token", "daemon", "stranger", "none"),
    workspaceHeader: fc.boolean(),
    params,
    query: fc.dictionary(fc.oneof(fc.constantFrom(...QUERY_KEYS), fc.string({ maxLength: 8 })), hostileString(ids), { maxKeys: 3 }),
    headers: fc.dictionary(fc.constantFrom(...HEADER_NAMES), headerValue(ids), { maxKeys: 3 }),
    body: route.method === "GET" || route.method === "DELETE" ? fc.oneof(fc.constant(undefined), bodies(fields, ids)) : bodies(fields, ids),
  });
}

type Generated = ReturnType<typeof requests> extends fc.Arbitrary<infer T> ? T : never;

function toRequest(route: Route, g: Generated, fx: Fixtures): { req: Request; params: Record<string, string> } {
  const headers = new Headers();
  for (const [k, v] of Object.entries(g.headers)) headers.set(k, v);
  headers.set("origin", ORIGIN);
  headers.set("host", "localhost");
  if (g.workspaceHeader) headers.set("x-workspace-id", fx.workspaceId);
  const session = g.auth === "cookie" ? fx.owner : g.auth === "stranger" ? fx.stranger : g.auth === "token" ? fx.token : undefined;
  if (session?.cookie) headers.set("cookie", `tandem_session=${session.cookie}`);
  if (session?.token) headers.set("authorization", `Bearer ${session.token}`);
  if (g.auth === "daemon") headers.set("authorization", `Bearer ${fx.daemonToken}`);
  let body: string | undefined;
  if (g.body && "raw" in g.body) body = g.body.raw;
  else if (g.body && "json" in g.body) body = JSON.stringify(g.body.json);
  if (body !== undefined) headers.set("content-type", "application/json");
  if (headers.has("content-length") && body === undefined) headers.delete("content-length");
  const qs = new URLSearchParams(Object.entries(g.query)).toString();
  const concrete = route.pattern.replace(/\[([^\]]+)\]/g, (_, p: string) => encodeURIComponent(g.params[p]!.isWellFormed() ? g.params[p]! : "x"));
  const req = new Request(`${ORIGIN}${concrete}${qs ? `?${qs}` : ""}`, {
    method: route.method,
    headers,
    body: route.method === "GET" ? undefined : body,
  });
  return { req, params: g.params as Record<string, string> };
}

// ---- the properties ---------------------------------------------------------------------------------------------

const saved = { ...process.env };
let fx: Fixtures;
let routes: Route[];
let fields: string[];

beforeAll(async () => {
  process.env.RATE_LIMIT_FEEDBACK = "1000000";
  process.env.RATE_LIMIT_CONTACT_SALES_IP = "1000000";
  process.env.RATE_LIMIT_CONTACT_SALES_EMAIL = "1000000";
  process.env.SCHEDULER_ENABLED = "false";
  process.env.SWEEPERS_ENABLED = "false";
  resetConfigForTests();
  setSinkForTests(new MemorySink());
  routes = await loadRoutes();
  fields = bodyFieldNames();
  fx = await fixtures();
}, 120_000);

afterAll(() => {
  process.env = { ...saved };
  resetConfigForTests();
  setSinkForTests(undefined);
});

/** A stable 32-bit seed from a route's name. */
function seedOf(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h | 0;
}

describe("API fuzz", () => {
  it("covers every route file on disk", () => {
    expect(new Set(routes.map((r) => r.pattern)).size).toBe(routeFiles().length);
    expect(fields).toEqual(expect.arrayContaining(["title", "name", "message", "input_tokens"]));
  });

  it("no 5xx, errors are JSON naming the problem, a rejected request changes nothing", { timeout: 300_000 }, async () => {
    const failures: string[] = [];
    // The database as it is now; undefined after a request that may have changed it (recomputed before the next).
    let current: string | undefined;
    for (const route of routes) {
      await fc.assert(
        fc.asyncProperty(requests(route, fields, fx.ids), async (g) => {
          const before = (current ??= await dbFingerprint());
          current = undefined;
          const { req, params } = toRequest(route, g, fx);
          const res = await route.handler(req, { params: Promise.resolve(params) });
          const text = await res.text();
          const what = `${route.method} ${route.pattern} → ${res.status} ${text.slice(0, 200)}`;
          // A 503 is the documented answer for a dependency that is not configured or down (API.md), not a crash.
          if (res.status >= 500 && res.status !== 503) throw new Error(`5xx: ${what}`);
          if (res.status >= 400) {
            let error: unknown;
            try {
              error = (JSON.parse(text) as { error?: unknown }).error;
            } catch {
              /* not JSON */
            }
            if (typeof error !== "string" || error === "") throw new Error(`error is not JSON {"error": "..."}: ${what}`);
            current = await dbFingerprint();
            if (current !== before) throw new Error(`rejected but changed the database: ${what}`);
          }
        }),
        // A fixed seed per route keeps CI deterministic (a failure replays); FUZZ_SEED explores others.
        { numRuns: RUNS, seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : seedOf(`${route.method} ${route.pattern}`), endOnFailure: true },
      ).catch((err: Error) => failures.push(`${route.method} ${route.pattern}: ${(err.cause as Error | undefined)?.message ?? ""}\n${err.message.split("\n").filter((l) => !l.startsWith("Hint")).slice(0, 6).join("\n")}`));
    }
    expect(failures).toEqual([]);
  });

  it("leaves every metric label within its allow-list", async () => {
    const { offences, series } = labelOffences(await registry().getMetricsAsJSON());
    expect(series).toBeGreaterThan(0);
    expect(offences.slice(0, 20)).toEqual([]);
  });
});
