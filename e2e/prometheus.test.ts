/**
 * A real Prometheus against the production build: Debian's `prometheus` runs the shipped configuration
 * (ops/prometheus: bearer token from a credentials file, the recording and alert rules) on loopback with a short
 * scrape interval. A signup (with a signup source), an onboarding and an issue executed by a runtime are driven
 * through HTTP; the series must then arrive in Prometheus with the right labels. The live scrape passes
 * `promtool check metrics`, and every query of the Grafana board and every rule evaluates without error.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DaemonClient } from "@/lib/daemon/client";
import { boardExpressions, substitute } from "../tests/ops/board";
import { startPrometheus, type PrometheusServer } from "../tests/ops/prometheus-server";
import { requireBinary, run } from "../tests/ops/promtool";
import { rules } from "../tests/ops/rules";
import { freePort, startApp, waitFor, type App } from "./support/app";

const METRICS_TOKEN = "e2e-prometheus-token";

/**
 * `promtool check metrics` findings we accept, each with its reason. Every other finding fails the test.
 * All four are gauges whose names end in `_total` ("non-counter metrics should not have _total suffix").
 */
const EXPLAINED_LINT: Record<string, string> = {
  // prom-client's default Node metrics (collectDefaultMetrics): the library's names, kept so standard Node.js
  // dashboards work; each is a gauge of "how many in total right now".
  nodejs_active_handles_total: "prom-client default metric",
  nodejs_active_requests_total: "prom-client default metric",
  nodejs_active_resources_total: "prom-client default metric",
  // The business sampler's workspace count, named by the contract (TELEMETRY.md §6: the reference's
  // workspace_total with the tandem_ prefix). A gauge: the number of workspaces in the database.
  tandem_workspace_total: "sampler gauge named by TELEMETRY.md §6",
};
const prometheusBin = requireBinary("prometheus");
const promtool = requireBinary("promtool");

let app: App;
let prom: PrometheusServer;

beforeAll(async () => {
  if (!prometheusBin || !promtool) return;
  app = await startApp({ env: { METRICS_TOKEN } });
  prom = await startPrometheus(prometheusBin, await freePort(), {
    target: `127.0.0.1:${app.port}`,
    token: METRICS_TOKEN,
    scrapeInterval: "2s",
    evaluationInterval: "2s",
  });
});
afterAll(async () => {
  await prom?.stop();
  await app?.stop();
});

type Call = { method?: string; body?: unknown; cookie?: string; headers?: Record<string, string> };

/** A browser-like API call: JSON, same Origin, the session cookie. */
async function api<T = any>(path: string, c: Call = {}): Promise<{ status: number; body: T; setCookie: string }> {
  const headers: Record<string, string> = { origin: app.baseUrl, ...c.headers };
  if (c.body !== undefined) headers["content-type"] = "application/json";
  if (c.cookie) headers.cookie = c.cookie;
  const res = await fetch(`${app.baseUrl}${path}`, { method: c.method ?? (c.body === undefined ? "GET" : "POST"), headers, body: c.body === undefined ? undefined : JSON.stringify(c.body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, setCookie: res.headers.get("set-cookie") ?? "" };
}

/** The one sample of a query, or undefined. */
async function sample(expr: string) {
  const r = await prom.query(expr);
  expect(r.length, `${expr} → ${JSON.stringify(r)}`).toBeLessThanOrEqual(1);
  return r[0] && { labels: r[0].metric, value: Number(r[0].value[1]) };
}

describe.skipIf(!prometheusBin || !promtool)("Prometheus scraping the production build", () => {
  const email = `prom-${Date.now()}@example.com`;
  const ids: string[] = [];

  it("scrapes the app with the bearer token from the credentials file", async () => {
    const up = await waitFor(async () => (await sample('up{job="tandem"}'))?.value === 1 || undefined, 30_000, `up == 1 (${prom.logs()})`);
    expect(up).toBe(true);
    const targets = await prom.api<{ activeTargets: { labels: Record<string, string>; health: string; lastError: string }[] }>("targets");
    expect(targets.activeTargets).toHaveLength(1);
    expect(targets.activeTargets[0]).toMatchObject({ labels: { job: "tandem", instance: `127.0.0.1:${app.port}` }, health: "up", lastError: "" });
  });

  it("signup, onboarding and an executed issue arrive as series with the right labels", async () => {
    // Signup through the code flow, arriving from GitHub (the first-touch cookie the client sets).
    const sourceCookie = `tandem_signup_source=${encodeURIComponent(JSON.stringify({ utm_source: "github" }))}`;
    expect((await api("/api/auth/send-code", { body: { email }, cookie: sourceCookie })).status).toBe(200);
    const verified = await api<{ user: { id: string } }>("/api/auth/verify-code", { body: { email, code: await app.codeFor(email) }, cookie: sourceCookie });
    expect(verified.status).toBe(200);
    const session = /tandem_session=[^;]+/.exec(verified.setCookie)![0];
    ids.push(verified.body.user.id);

    const ws = await api<{ id: string; slug: string }>("/api/workspaces", { body: { name: "Prometheus Labs" }, cookie: session });
    expect(ws.status).toBe(201);
    ids.push(ws.body.id);
    const inWs = { "x-workspace-id": ws.body.id };

    // Onboarding: questionnaire (started + submitted), then completed on the full path.
    const questionnaire = { source: ["search"], source_other: null, source_skipped: false, role: "engineer", role_other: null, role_skipped: false, use_case: ["ship_code"], use_case_other: null, use_case_skipped: false, version: 2 };
    expect((await api("/api/me/onboarding", { method: "PATCH", body: { questionnaire }, cookie: session, headers: { "x-client-platform": "web" } })).status).toBe(200);
    expect((await api("/api/me/onboarding/complete", { body: { completion_path: "full", workspace_id: ws.body.id }, cookie: session })).status).toBe(200);

    // A runtime (the daemon API over HTTP), an agent on it, an issue assigned to the agent, executed.
    const token = await api<{ token: string }>("/api/runtimes/daemon-tokens", { body: { name: "prometheus e2e" }, cookie: session, headers: inWs });
    expect(token.status).toBe(201);
    const daemon = new DaemonClient(app.baseUrl, token.body.token);
    const [runtime] = await daemon.register({ workspace_id: ws.body.id, daemon_id: "prom-e2e", device_name: "e2e", cli_version: "0.1", runtimes: [{ name: "Claude", provider: "claude", version: "1", status: "online" }] });
    ids.push(runtime!.id);
    const agent = await api<{ id: string }>("/api/agents", { body: { name: "Builder", runtime_id: runtime!.id }, cookie: session, headers: inWs });
    expect(agent.status).toBe(201);
    ids.push(agent.body.id);
    const issue = await api<{ id: string }>("/api/issues", { body: { title: "Wire the board", assignee_type: "agent", assignee_id: agent.body.id }, cookie: session, headers: inWs });
    expect(issue.status).toBe(201);
    ids.push(issue.body.id);
    const task = await daemon.claim(runtime!.id);
    expect(task?.issue?.id).toBe(issue.body.id);
    ids.push(task!.id);
    await daemon.start(task!.id);
    await daemon.usage(task!.id, [{ model: "claude-sonnet-4.5", provider: "claude", input_tokens: 1000, output_tokens: 200 }]);
    await daemon.complete(task!.id, { output: "done" });

    // The last step reaches Prometheus within a few scrapes.
    await waitFor(async () => (await sample('tandem_issue_executed_total{job="tandem"}'))?.value === 1 || undefined, 30_000, "issue_executed in Prometheus");

    const target = { job: "tandem", instance: `127.0.0.1:${app.port}` };
    const expectSeries = async (selector: string, labels: Record<string, string>, value: number) => {
      const s = await sample(selector);
      expect(s, selector).toBeDefined();
      expect(s!.labels, selector).toEqual({ __name__: selector.split("{")[0], ...target, ...labels });
      expect(s!.value, selector).toBe(value);
    };
    await expectSeries('tandem_signup_total{signup_source="github"}', { signup_source: "github" }, 1);
    await expectSeries('tandem_business_logins_total{outcome="success"}', { outcome: "success" }, 1);
    await expectSeries("tandem_workspace_created_total", { source: "manual" }, 1);
    await expectSeries("tandem_onboarding_started_total", { platform: "web" }, 1);
    await expectSeries("tandem_onboarding_questionnaire_submitted_total", {}, 1);
    await expectSeries("tandem_onboarding_completed_total", { path: "full" }, 1);
    await expectSeries("tandem_runtime_registered_total", { runtime_mode: "local", provider: "claude" }, 1);
    await expectSeries("tandem_issue_created_total", { source: "manual", platform: "unknown" }, 1);
    await expectSeries("tandem_agent_task_enqueued_total", { source: "issue", runtime_mode: "local" }, 1);
    await expectSeries("tandem_agent_task_dispatched_total", { source: "issue", runtime_mode: "local" }, 1);
    await expectSeries("tandem_agent_task_terminal_total", { source: "issue", runtime_mode: "local", terminal_status: "completed" }, 1);
    await expectSeries("tandem_issue_executed_total", { source: "manual" }, 1);
    await expectSeries('tandem_llm_tokens_total{token_type="input"}', { provider: "anthropic", model: "claude-sonnet-4.5", token_type: "input", runtime_mode: "local", source: "issue" }, 1000);
    await expectSeries('tandem_http_requests_total{route="/api/workspaces",method="POST"}', { route: "/api/workspaces", method: "POST", status: "201" }, 1);
    await expectSeries('tandem_http_request_duration_seconds_count{route="/api/issues",method="POST"}', { route: "/api/issues", method: "POST", status: "201" }, 1);
    // Sampler gauges (from the database at scrape time).
    await waitFor(async () => ((await sample("tandem_workspace_total"))?.value ?? 0) >= 1 || undefined, 30_000, "tandem_workspace_total ≥ 1");
    expect((await prom.query('tandem_agent_task_queued{source="issue"}')).map((r) => r.value[1])).toEqual(["0"]);
    expect(await sample("tandem_build_info")).toMatchObject({ value: 1, labels: { job: "tandem" } });
  });

  it("no label of any Tandem series carries an id or the email", async () => {
    const all = await prom.query('{__name__=~"tandem_.+",job="tandem"}');
    expect(all.length).toBeGreaterThan(100);
    const values = new Set(all.flatMap((r) => Object.values(r.metric)));
    for (const secret of [email, ...ids]) expect([...values].filter((v) => v.includes(secret))).toEqual([]);
  });

  it("the live scrape passes promtool check metrics", async () => {
    const res = await fetch(`${app.baseUrl}/api/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).toBe(200);
    const r = run(promtool!, ["check", "metrics"], { input: await res.text() });
    const findings = r.output.split("\n").map((l) => l.trim()).filter(Boolean);
    const unexplained = findings.filter((f) => !Object.keys(EXPLAINED_LINT).some((name) => f.startsWith(`${name} `)));
    expect(unexplained, r.output).toEqual([]);
    // promtool exits 3 for lint findings only; anything else (a parse error) would be a broken exposition.
    expect([0, 3], r.output).toContain(r.status);
    if (findings.length === 0) expect(r.status).toBe(0);
  });

  it("every query of the Grafana board evaluates without error", async () => {
    const errors: string[] = [];
    for (const { panel, expr } of boardExpressions()) {
      const q = substitute(expr, { range: "5m" });
      await prom.query(q).catch((e: Error) => errors.push(`${panel}: ${e.message}`));
    }
    expect(errors).toEqual([]);
  });

  it("every recording and alert rule evaluates without error, in Prometheus and through the query API", async () => {
    const errors: string[] = [];
    for (const r of rules()) await prom.query(r.expr).catch((e: Error) => errors.push(`${r.alert ?? r.record}: ${e.message}`));
    expect(errors).toEqual([]);

    type Groups = { groups: { name: string; rules: { name: string; health: string; lastError?: string; lastEvaluation: string }[] }[] };
    const loaded = await waitFor(
      async () => {
        const g = await prom.api<Groups>("rules");
        const all = g.groups.flatMap((x) => x.rules);
        return all.length === rules().length && all.every((x) => x.health !== "unknown") ? all : undefined;
      },
      30_000,
      "every rule evaluated once",
    );
    expect(loaded.filter((x) => x.health !== "ok").map((x) => `${x.name}: ${x.lastError}`)).toEqual([]);
    // The recording rules produce the board's HTTP and funnel series from the live data.
    // (The value can be 0: a labelled counter's series starts at 1 on its first increment, and increase() cannot see
    // that step — see docs/operations.md "Counters that start at 1".)
    await waitFor(async () => (await sample("tandem:signup:increase1d")) ?? undefined, 30_000, "tandem:signup:increase1d");
    expect((await prom.query('job:tandem_http_requests:rate5m{job="tandem"}')).length).toBe(1);
    // With the target up, the scrape alerts stay quiet.
    expect(await prom.query('ALERTS{alertname=~"TandemScrape.*"}')).toEqual([]);
  });
});
