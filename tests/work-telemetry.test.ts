/**
 * The work-domain events end to end through the real sink and exposition: PostHog batches reach the capture server
 * with their properties, and `/api/metrics` shows the paired series with their label values.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as metricsGET } from "@/app/api/metrics/route";
import { POST as createAutopilot } from "@/app/api/autopilots/route";
import { POST as runNow } from "@/app/api/autopilots/[id]/runs/route";
import { PATCH as patchIssue } from "@/app/api/issues/[id]/route";
import { POST as createIssue } from "@/app/api/issues/route";
import { POST as createSession } from "@/app/api/chat/sessions/route";
import { POST as sendMessage } from "@/app/api/chat/sessions/[id]/messages/route";
import { POST as createSquad } from "@/app/api/squads/route";
import { resetConfigForTests } from "@/lib/config";
import { setSinkForTests, shutdownTelemetry } from "@/lib/telemetry/sink";
import { call } from "./helpers/api";
import { startCaptureServer, type CaptureServer } from "./helpers/capture-server";
import { metricValue } from "./helpers/daemon";
import { ownerWithWorkspace } from "./helpers/workspace";
import { insertRuntime, newAgent } from "./helpers/work";

process.env.RATE_LIMIT_SEND_CODE_IP = "100000";

const TOKEN = "work-metrics-token";
const saved = { ...process.env };
let capture: CaptureServer;

beforeAll(async () => {
  capture = await startCaptureServer();
  Object.assign(process.env, { POSTHOG_API_KEY: "phc_work", POSTHOG_HOST: capture.url, ANALYTICS_DISABLED: "false", METRICS_TOKEN: TOKEN });
  resetConfigForTests();
  setSinkForTests(undefined);
});

afterAll(async () => {
  await shutdownTelemetry(1000);
  setSinkForTests(undefined);
  process.env = { ...saved };
  resetConfigForTests();
  await capture.stop();
});

describe("work events on the wire and on /api/metrics", () => {
  it("issue, agent, squad, autopilot (created, started, skipped, completed) and chat events", async () => {
    const scrape = async () => (await call<string>(metricsGET, { path: "/api/metrics", headers: { authorization: `Bearer ${TOKEN}` } })).body;
    const series = [
      ["tandem_issue_created_total", { source: "manual", platform: "web" }],
      ["tandem_issue_created_total", { source: "autopilot", platform: "server" }],
      ["tandem_agent_created_total", { runtime_mode: "local", source: "manual" }],
      ["tandem_squad_created_total", {}],
      ["tandem_autopilot_created_total", { cadence: "weekly" }],
      ["tandem_autopilot_run_started_total", { cadence: "manual", trigger_kind: "manual" }],
      ["tandem_autopilot_run_skipped_total", { cadence: "manual", reason: "already_running" }],
      ["tandem_autopilot_run_terminal_total", { cadence: "manual", trigger_kind: "manual", terminal_status: "completed" }],
      ["tandem_chat_message_sent_total", { platform: "web" }],
    ] as const;
    const web = { "x-client-platform": "web" };
    const { owner, workspace, headers } = await ownerWithWorkspace();
    const before = await scrape();
    const rt = await insertRuntime(workspace.id, { provider: "claude", mode: "local" });
    const agent = await newAgent(owner, headers, { runtime_id: rt.id });
    expect((await call(createIssue, { path: "/api/issues", session: owner, headers: { ...headers, ...web }, body: { title: "Wire check" } })).status).toBe(201);
    const squad = (await call(createSquad, { path: "/api/squads", session: owner, headers, body: { name: "S", leader_id: agent.id } })).body;
    const ap = (
      await call(createAutopilot, {
        path: "/api/autopilots",
        session: owner,
        headers,
        body: { name: "Weekly", assignee_type: "squad", assignee_id: squad.id, execution_mode: "create_issue", prompt: "Go", triggers: [{ kind: "schedule", cron: "0 8 * * 1", timezone: "UTC" }] },
      })
    ).body;
    const started = (await call(runNow, { session: owner, headers, params: { id: ap.id } })).body;
    expect((await call(runNow, { session: owner, headers, params: { id: ap.id } })).body.status).toBe("skipped");
    expect((await call(patchIssue, { method: "PATCH", session: owner, headers, params: { id: started.issue_id }, body: { status: "done" } })).status).toBe(200);
    const chat = (await call(createSession, { path: "/api/chat/sessions", session: owner, headers, body: { agent_id: agent.id } })).body;
    expect((await call(sendMessage, { session: owner, headers: { ...headers, ...web }, params: { id: chat.id }, body: { content: "hello" } })).status).toBe(201);

    const after = await scrape();
    for (const [name, labels] of series) expect(metricValue(after, name, labels) - metricValue(before, name, labels), `${name} ${JSON.stringify(labels)}`).toBe(1);

    await shutdownTelemetry(5000);
    const sent = capture.batchEvents().filter((e) => e.properties.workspace_id === workspace.id);
    const named = (n: string) => sent.filter((e) => e.event === n);
    expect(named("issue_created").map((e) => [e.properties.source, e.properties.platform])).toEqual(
      expect.arrayContaining([
        ["manual", "web"],
        ["autopilot", "server"],
      ]),
    );
    expect(named("agent_created")[0]!.properties).toMatchObject({ provider: "claude", runtime_mode: "local", is_first_agent_in_workspace: true, event_schema_version: 2 });
    expect(named("squad_created")[0]!.properties).toMatchObject({ member_count: 1 });
    expect(named("autopilot_created")[0]!.properties).toMatchObject({ cadence: "weekly", trigger_kind: "schedule" });
    expect(named("autopilot_run_started")[0]!.properties).toMatchObject({ cadence: "manual", trigger_kind: "manual", assignee_type: "squad", squad_id: squad.id });
    expect(named("autopilot_run_skipped")[0]!.properties).toMatchObject({ reason: "already_running" });
    expect(named("autopilot_run_completed")).toHaveLength(1);
    expect(named("chat_message_sent")[0]!.properties).toMatchObject({ platform: "web", chat_session_id: chat.id });
    expect(JSON.stringify(sent)).not.toContain("hello");
  });
});
