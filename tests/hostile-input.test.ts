/**
 * Hostile input that used to answer 500 (issue 11, item 2): each case is now a 400 JSON error naming the problem,
 * and nothing is stored. The checks live in the shared plumbing (`readJson`/`parseJsonText`, `route()`), so these
 * cases stand for every route; tests/fuzz.test.ts throws the same classes at all of them.
 */
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { POST as createAutopilot } from "@/app/api/autopilots/route";
import { PATCH as patchAutopilot } from "@/app/api/autopilots/[id]/route";
import { PATCH as patchTrigger } from "@/app/api/autopilots/[id]/triggers/[triggerId]/route";
import { PATCH as patchAgent } from "@/app/api/agents/[id]/route";
import { GET as listIssues, POST as createIssue } from "@/app/api/issues/route";
import { GET as getIssue, PATCH as patchIssue } from "@/app/api/issues/[id]/route";
import { POST as feedbackRoute } from "@/app/api/feedback/route";
import { PATCH as patchOnboarding } from "@/app/api/me/onboarding/route";
import { POST as webhook } from "@/app/api/webhooks/autopilot/[token]/route";
import { POST as register } from "@/app/api/daemon/register/route";
import { POST as claim } from "@/app/api/daemon/runtimes/[id]/tasks/claim/route";
import { POST as usage } from "@/app/api/daemon/tasks/[id]/usage/route";
import { POST as createAgent } from "@/app/api/agents/route";
import { requireWorkspaceMember } from "@/lib/auth/guard";
import { getDb } from "@/lib/db";
import { autopilotRuns, autopilots, feedback, issues, taskUsage, users } from "@/lib/db/schema";
import { jsonDepthExceeds, parseJsonText } from "@/lib/http";
import { call } from "./helpers/api";
import { bearer, daemonTokenFor } from "./helpers/daemon";
import { newAgent } from "./helpers/work";
import { ownerWithWorkspace } from "./helpers/workspace";

process.env.RATE_LIMIT_SEND_CODE_IP = "100000";

const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

describe("parseJsonText", () => {
  it("refuses nesting past the limit without recursing, and counts brackets inside strings as text", () => {
    expect(jsonDepthExceeds(nested(64))).toBe(false);
    expect(jsonDepthExceeds(nested(65))).toBe(true);
    expect(jsonDepthExceeds(nested(1_000_000))).toBe(true);
    expect(jsonDepthExceeds(JSON.stringify({ a: "[".repeat(1000), b: '\\"[[[' }))).toBe(false);
    expect(() => parseJsonText(nested(5000))).toThrow(/nested deeper than 64/);
  });
  it("names the field holding NUL or a lone surrogate, keys included", () => {
    expect(() => parseJsonText('{"a":{"b":["ok","x\\u0000"]}}')).toThrow("a.b.1: must not contain NUL characters");
    expect(() => parseJsonText('{"q":{"role":"\\ud800"}}')).toThrow("q.role: must be valid Unicode (lone surrogate)");
    expect(() => parseJsonText('{"a":{"\\u0000":1}}')).toThrow("a: keys must not contain NUL characters");
    expect(() => parseJsonText('"\\udc00"')).toThrow("body: must be valid Unicode");
    expect(parseJsonText('{"emoji":"\\ud83d\\ude00"}')).toEqual({ emoji: "😀" });
  });
});

describe("hostile input through the routes", () => {
  async function countRows(table: typeof issues | typeof feedback | typeof autopilots, where?: ReturnType<typeof eq>) {
    return (await (await getDb()).select().from(table).where(where)).length;
  }

  it("NUL in a body string, a query value or a path param is a 400 naming it; nothing is stored", async () => {
    const { owner, headers, workspace } = await ownerWithWorkspace();
    const before = await countRows(issues, eq(issues.workspaceId, workspace.id));
    const body = await call(createIssue, { path: "/api/issues", session: owner, headers, body: { title: "a\u0000b" } });
    expect(body).toMatchObject({ status: 400, body: { error: "title: must not contain NUL characters" } });
    const fb = await call(feedbackRoute, { path: "/api/feedback", session: owner, body: { message: "hi\u0000" } });
    expect(fb).toMatchObject({ status: 400, body: { error: "message: must not contain NUL characters" } });
    const query = await call(listIssues, { path: "/api/issues?q=%00", session: owner, headers });
    expect(query).toMatchObject({ status: 400, body: { error: "query q: must not contain NUL characters" } });
    const slug = await call(listIssues, { path: "/api/issues?workspace_slug=a%00", session: owner });
    expect(slug.status).toBe(400);
    const path = await call(getIssue, { path: "/api/issues/%00", session: owner, headers, params: { id: "\u0000" } });
    expect(path).toMatchObject({ status: 400, body: { error: "path id: must not contain NUL characters" } });
    expect(await countRows(issues, eq(issues.workspaceId, workspace.id))).toBe(before);
    expect(await countRows(feedback, eq(feedback.userId, owner.user.id))).toBe(0);
  });

  it("a workspace slug no workspace can have (page paths, headers) is a 404 without a query", async () => {
    const { owner, workspace } = await ownerWithWorkspace();
    const user = { id: owner.user.id } as Parameters<typeof requireWorkspaceMember>[1];
    for (const slug of ["a\u0000b", "x".repeat(10_000), "\ud800", "ÄCME"]) {
      await expect(requireWorkspaceMember(await getDb(), user, slug)).rejects.toMatchObject({ status: 404 });
    }
    expect((await requireWorkspaceMember(await getDb(), user, workspace.slug.toUpperCase())).workspace.id).toBe(workspace.id);
  });

  it("body bytes that are not UTF-8 (a surrogate's CESU bytes, 0xFF, an overlong '/') are a 400, not U+FFFD stored", async () => {
    const { owner, headers, workspace } = await ownerWithWorkspace();
    const before = await countRows(issues, eq(issues.workspaceId, workspace.id));
    for (const bad of [[0xed, 0xa0, 0x80], [0xff, 0xfe], [0xc0, 0xaf]]) {
      const rawBody = new Uint8Array(Buffer.concat([Buffer.from('{"title":"a'), Buffer.from(bad), Buffer.from('b"}')]));
      const res = await call(createIssue, { path: "/api/issues", session: owner, headers: { ...headers, "content-type": "application/json" }, rawBody });
      expect(res).toMatchObject({ status: 400, body: { error: "request body is not valid UTF-8" } });
    }
    expect(await countRows(issues, eq(issues.workspaceId, workspace.id))).toBe(before);
  });

  it("a lone surrogate in JSON stored as jsonb is a 400; the questionnaire stays as it was", async () => {
    const { owner } = await ownerWithWorkspace();
    const raw = '{"questionnaire":{"version":1,"role_other":"\\ud800"}}';
    const res = await call(patchOnboarding, { method: "PATCH", path: "/api/me/onboarding", session: owner, rawBody: raw, headers: { "content-type": "application/json" } });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("questionnaire.role_other: must be valid Unicode (lone surrogate)");
    const [u] = await (await getDb()).select().from(users).where(eq(users.id, owner.user.id));
    expect(u!.onboardingQuestionnaire).toEqual({});
  });

  it("a body nested 5,000 deep is a 400 on any route and on the autopilot webhook, without a stack overflow", async () => {
    const { owner, headers } = await ownerWithWorkspace();
    const res = await call(createIssue, { path: "/api/issues", session: owner, headers, rawBody: `{"title":"x","extra":${nested(5000)}}` });
    expect(res).toMatchObject({ status: 400, body: { error: "JSON is nested deeper than 64 levels" } });

    const agent = await newAgent(owner, headers);
    const ap = await call(createAutopilot, { path: "/api/autopilots", session: owner, headers, body: { name: "Hook", prompt: "p", execution_mode: "run_only", assignee_type: "agent", assignee_id: agent.id, triggers: [{ kind: "webhook" }] } });
    expect(ap.status).toBe(201);
    const token = ap.body.triggers[0].webhook_token as string;
    const hook = await call(webhook, { path: `/api/webhooks/autopilot/${token}`, params: { token }, rawBody: nested(5000), noOrigin: true });
    expect(hook).toMatchObject({ status: 400, body: { error: "JSON is nested deeper than 64 levels" } });
    const hookNul = await call(webhook, { path: `/api/webhooks/autopilot/${token}`, params: { token }, rawBody: '{"a":"\\u0000"}', noOrigin: true });
    expect(hookNul).toMatchObject({ status: 400, body: { error: "a: must not contain NUL characters" } });
    expect(await (await getDb()).select().from(autopilotRuns).where(eq(autopilotRuns.autopilotId, ap.body.id))).toEqual([]);
  });

  it("a PATCH with {} or only unknown keys is a 400 on every PATCH route; nothing changes", async () => {
    const { owner, headers } = await ownerWithWorkspace();
    const agent = await newAgent(owner, headers);
    const ap = await call(createAutopilot, { path: "/api/autopilots", session: owner, headers, body: { name: "Nightly", prompt: "p", execution_mode: "run_only", assignee_type: "agent", assignee_id: agent.id, triggers: [{ kind: "webhook" }] } });
    const issue = (await call(createIssue, { path: "/api/issues", session: owner, headers, body: { title: "T" } })).body;
    const [before] = await (await getDb()).select().from(autopilots).where(eq(autopilots.id, ap.body.id));
    const cases: [typeof patchAutopilot, Record<string, string>][] = [
      [patchAutopilot, { id: ap.body.id }],
      [patchTrigger, { id: ap.body.id, triggerId: ap.body.triggers[0].id }],
      [patchAgent, { id: agent.id }],
      [patchIssue, { id: issue.id }],
    ];
    for (const [handler, params] of cases) {
      for (const body of [{}, { bogus: 1, nope: "x" }]) {
        const res = await call(handler, { method: "PATCH", session: owner, headers, params, body });
        expect(res.status, JSON.stringify({ params, body })).toBe(400);
        expect(res.body.error).toMatch(/^nothing to update: send at least one of /);
      }
    }
    const [after] = await (await getDb()).select().from(autopilots).where(eq(autopilots.id, ap.body.id));
    expect(after).toEqual(before);
    const ok = await call(patchAutopilot, { method: "PATCH", session: owner, headers, params: { id: ap.body.id }, body: { name: "Renamed", bogus: 1 } });
    expect(ok).toMatchObject({ status: 200, body: { name: "Renamed" } });
  });

  it("token counts past 32 bits are stored (64-bit columns); past the schema's bound they are a 400", async () => {
    const ctx = await ownerWithWorkspace();
    const token = await daemonTokenFor(ctx.owner, ctx.workspace.id);
    const reg = await call(register, {
      path: "/api/daemon/register",
      headers: bearer(token),
      body: { workspace_id: ctx.workspace.id, daemon_id: "d-big", device_name: "laptop", cli_version: "1.0.0", runtimes: [{ name: "Claude", provider: "claude", version: "2.1", status: "online" }] },
    });
    const rt = reg.body.runtimes[0];
    const agent = (await call(createAgent, { path: "/api/agents", body: { name: "A", runtime_id: rt.id }, session: ctx.owner, headers: ctx.headers })).body;
    await call(createIssue, { path: "/api/issues", body: { title: "Big", assignee_type: "agent", assignee_id: agent.id }, session: ctx.owner, headers: ctx.headers });
    const task = (await call(claim, { path: "/x", method: "POST", headers: bearer(token), params: { id: rt.id } })).body.task;
    const report = (u: Record<string, unknown>) => call(usage, { path: "/x", headers: bearer(token), params: { id: task.id }, body: { usage: [{ model: "claude-sonnet-4-5", ...u }] } });
    const big = await report({ input_tokens: 3_000_000_000, output_tokens: 2 ** 39 });
    expect(big.status, JSON.stringify(big.body)).toBe(200);
    const [row] = await (await getDb()).select().from(taskUsage).where(eq(taskUsage.taskId, task.id));
    expect(row).toMatchObject({ inputTokens: 3_000_000_000, outputTokens: 2 ** 39 });
    const tooBig = await report({ input_tokens: 1e13 });
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.error).toBe("usage.0.input_tokens: input_tokens must be at most 1e12");
  });
});
