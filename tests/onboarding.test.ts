import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { PATCH as patchOnboarding } from "@/app/api/me/onboarding/route";
import { POST as complete } from "@/app/api/me/onboarding/complete/route";
import { POST as cloudWaitlist } from "@/app/api/me/onboarding/cloud-waitlist/route";
import { POST as invite } from "@/app/api/workspaces/[id]/invitations/route";
import { POST as acceptInvite } from "@/app/api/invitations/[id]/accept/route";
import { GET as me } from "@/app/api/me/route";
import { getDb } from "@/lib/db";
import { users } from "@/lib/db/schema";
import { call, signIn, uniqueEmail, type Session } from "./helpers/api";
import { captureEvents, metricValue } from "./helpers/telemetry";
import { ownerWithWorkspace } from "./helpers/workspace";

// Every test signs up fresh users from the same (unknown) client IP.
process.env.RATE_LIMIT_SEND_CODE_IP = "100000";

const sink = captureEvents();

const COMPLETE = {
  source: ["search"],
  source_other: null,
  source_skipped: false,
  role: "engineer",
  role_other: null,
  role_skipped: false,
  use_case: ["ship_code", "other"],
  use_case_other: "robots",
  use_case_skipped: false,
  version: 2,
};

const patch = (session: Session, body: unknown, headers: Record<string, string> = { "x-client-platform": "web" }) =>
  call(patchOnboarding, { method: "PATCH", path: "/api/me/onboarding", session, body, headers });

async function userRow(id: string) {
  const [u] = await (await getDb()).select().from(users).where(eq(users.id, id));
  return u!;
}

describe("PATCH /api/me/onboarding", () => {
  it("stores the questionnaire and emits onboarding_started once, on the first non-empty one", async () => {
    const s = await signIn();
    const before = await metricValue("tandem_onboarding_started_total", { platform: "web" });

    const empty = await patch(s, { questionnaire: {} });
    expect(empty.status).toBe(200);
    expect(sink.named("onboarding_started")).toHaveLength(0);

    const first = await patch(s, { questionnaire: { source: ["search"], version: 2 } });
    expect(first.status).toBe(200);
    expect(first.body.onboarding_questionnaire).toEqual({ source: ["search"], version: 2 });
    const second = await patch(s, { questionnaire: { source: ["search"], role: "founder", version: 2 } });
    expect(second.body.onboarding_questionnaire.role).toBe("founder");

    const started = sink.named("onboarding_started");
    expect(started).toHaveLength(1);
    expect(started[0]!.distinct_id).toBe(s.user.id);
    expect(started[0]!.properties.platform).toBe("web");
    expect(await metricValue("tandem_onboarding_started_total", { platform: "web" })).toBe(before + 1);
    expect(sink.named("onboarding_questionnaire_submitted")).toHaveLength(0);
  });

  it("omitting the questionnaire leaves it unchanged and emits nothing", async () => {
    const s = await signIn();
    await patch(s, { questionnaire: { role: "ops" } });
    sink.clear();
    const res = await patch(s, {});
    expect(res.status).toBe(200);
    expect(res.body.onboarding_questionnaire).toEqual({ role: "ops" });
    const nulled = await patch(s, { questionnaire: null });
    expect(nulled.status).toBe(200);
    expect(nulled.body.onboarding_questionnaire).toEqual({ role: "ops" });
    expect(sink.messages).toHaveLength(0);
  });

  it("reads a bare string source / use_case as a one-element list", async () => {
    const s = await signIn();
    const res = await patch(s, { questionnaire: { source: "search", use_case: "evaluate", version: 2 } });
    expect(res.status).toBe(200);
    expect(res.body.onboarding_questionnaire).toEqual({ source: ["search"], use_case: ["evaluate"], version: 2 });
  });

  it("emits onboarding_questionnaire_submitted when the answers first become complete, without free text", async () => {
    const s = await signIn();
    const before = await metricValue("tandem_onboarding_questionnaire_submitted_total");
    await patch(s, { questionnaire: { ...COMPLETE, use_case: [], use_case_skipped: false } });
    expect(sink.named("onboarding_questionnaire_submitted")).toHaveLength(0);
    await patch(s, { questionnaire: COMPLETE });
    await patch(s, { questionnaire: { ...COMPLETE, role: "founder" } });

    const submitted = sink.named("onboarding_questionnaire_submitted");
    expect(submitted).toHaveLength(1);
    expect(submitted[0]!.properties).toMatchObject({ role: "engineer", use_case: ["ship_code", "other"], use_case_has_other: true });
    expect(JSON.stringify(submitted[0])).not.toContain("robots");
    expect(await metricValue("tandem_onboarding_questionnaire_submitted_total")).toBe(before + 1);
    expect((await userRow(s.user.id)).questionnaireCompletedAt).not.toBeNull();
  });

  it("counts a skipped slot as answered, and never a version other than 2", async () => {
    const s = await signIn();
    const skipped = { source_skipped: true, role_skipped: true, use_case_skipped: true };
    await patch(s, { questionnaire: { ...skipped, version: 1 } });
    expect(sink.named("onboarding_questionnaire_submitted")).toHaveLength(0);
    await patch(s, { questionnaire: { ...skipped } });
    expect(sink.named("onboarding_questionnaire_submitted")).toHaveLength(0);
    await patch(s, { questionnaire: { ...skipped, version: 2 } });
    expect(sink.named("onboarding_questionnaire_submitted")).toHaveLength(1);
  });

  it.each([
    [{ questionnaire: { role: "astronaut" } }, "role has an unknown value"],
    [{ questionnaire: { source: ["tv"] } }, "source has an unknown value"],
    [{ questionnaire: { source: ["search", "other"] } }, "source takes one answer"],
    [{ questionnaire: { use_case: 3 } }, "use_case must be a list"],
    [{ questionnaire: { role_other: "x".repeat(201) } }, "role_other is too long"],
    [{ questionnaire: { source_skipped: "yes" } }, "source_skipped must be a boolean"],
    [{ questionnaire: { version: "2" } }, "version must be a number"],
    [{ questionnaire: "nope" }, "questionnaire"],
  ])("rejects %j with 400, changing nothing and emitting nothing", async (body, message) => {
    const s = await signIn();
    sink.clear();
    const res = await patch(s, body);
    expect(res.status).toBe(400);
    expect(res.body.error).toContain(message);
    expect(sink.messages).toHaveLength(0);
    const u = await userRow(s.user.id);
    expect(u.onboardingQuestionnaire).toEqual({});
    expect(u.onboardingStartedAt).toBeNull();
  });

  it("rejects invalid JSON with 400 and a body over 16 KiB with 413", async () => {
    const s = await signIn();
    const bad = await call(patchOnboarding, { method: "PATCH", session: s, rawBody: "{nope", headers: { "content-type": "application/json" } });
    expect(bad.status).toBe(400);
    const big = await patch(s, { questionnaire: { role: "ops" }, padding: "x".repeat(17 * 1024) });
    expect(big.status).toBe(413);
    expect((await userRow(s.user.id)).onboardingQuestionnaire).toEqual({});
  });

  it("needs a signed-in user and a same-origin request", async () => {
    expect((await call(patchOnboarding, { method: "PATCH", body: { questionnaire: COMPLETE } })).status).toBe(401);
    const s = await signIn();
    sink.clear();
    expect((await call(patchOnboarding, { method: "PATCH", session: s, noOrigin: true, body: { questionnaire: COMPLETE } })).status).toBe(403);
    expect(sink.messages).toHaveLength(0);
  });

  it("20 concurrent identical PATCHes emit onboarding_started and questionnaire_submitted exactly once", async () => {
    const s = await signIn();
    const results = await Promise.all(Array.from({ length: 20 }, () => patch(s, { questionnaire: COMPLETE })));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(sink.named("onboarding_started")).toHaveLength(1);
    expect(sink.named("onboarding_questionnaire_submitted")).toHaveLength(1);
  });
});

describe("POST /api/me/onboarding/complete", () => {
  it("flips onboarded_at once; a second call returns the same timestamp and emits nothing", async () => {
    const { owner, workspace } = await ownerWithWorkspace();
    const before = await metricValue("tandem_onboarding_completed_total", { path: "full" });
    const first = await call(complete, { session: owner, body: { completion_path: "full", workspace_id: workspace.id } });
    expect(first.status).toBe(200);
    expect(first.body.onboarded_at).toEqual(expect.any(String));
    const second = await call(complete, { session: owner, body: { completion_path: "runtime_skipped" } });
    expect(second.status).toBe(200);
    expect(second.body.onboarded_at).toBe(first.body.onboarded_at);

    const done = sink.named("onboarding_completed");
    expect(done).toHaveLength(1);
    expect(done[0]!.properties).toMatchObject({ completion_path: "full", joined_cloud_waitlist: false, workspace_id: workspace.id });
    expect(await metricValue("tandem_onboarding_completed_total", { path: "full" })).toBe(before + 1);
    const meRes = await call(me, { session: owner });
    expect(meRes.body.onboarded_at).toBe(first.body.onboarded_at);
  });

  it.each([
    [{}, "unknown"],
    [{ completion_path: "ab-experiment-123" }, "unknown"],
    [{ completion_path: " Runtime_Skipped " }, "runtime_skipped"],
    [{ completion_path: "skip_existing" }, "skip_existing"],
    [{ completion_path: "cloud_waitlist" }, "cloud_waitlist"],
  ])("normalises the path %j to %s", async (body, path) => {
    const s = await signIn();
    const before = await metricValue("tandem_onboarding_completed_total", { path });
    expect((await call(complete, { session: s, body })).status).toBe(200);
    expect(sink.named("onboarding_completed")[0]!.properties.completion_path).toBe(path);
    expect(await metricValue("tandem_onboarding_completed_total", { path })).toBe(before + 1);
  });

  it("an empty body is accepted (path unknown)", async () => {
    const s = await signIn();
    const res = await call(complete, { method: "POST", session: s });
    expect(res.status).toBe(200);
    expect(sink.named("onboarding_completed")[0]!.properties.completion_path).toBe("unknown");
  });

  it("rejects a malformed workspace_id (400) and another user's workspace (404), changing nothing", async () => {
    const s = await signIn();
    const { workspace } = await ownerWithWorkspace();
    sink.clear();
    const bad = await call(complete, { session: s, body: { completion_path: "full", workspace_id: "not-a-uuid" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain("workspace_id");
    const other = await call(complete, { session: s, body: { completion_path: "skip_existing", workspace_id: workspace.id } });
    expect(other.status).toBe(404);
    const path = await call(complete, { session: s, body: { completion_path: 7 } });
    expect(path.status).toBe(400);
    expect((await userRow(s.user.id)).onboardedAt).toBeNull();
    expect(sink.messages).toHaveLength(0);
  });

  it("20 concurrent completions emit onboarding_completed exactly once", async () => {
    const s = await signIn();
    const results = await Promise.all(Array.from({ length: 20 }, () => call(complete, { session: s, body: { completion_path: "full" } })));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(new Set(results.map((r) => r.body.onboarded_at)).size).toBe(1);
    expect(sink.named("onboarding_completed")).toHaveLength(1);
  });
});

describe("POST /api/me/onboarding/cloud-waitlist", () => {
  it("stores the waitlist fields, emits cloud_waitlist_joined every time, and does not complete onboarding", async () => {
    const s = await signIn();
    const before = await metricValue("tandem_cloud_waitlist_joined_total");
    const first = await call(cloudWaitlist, { session: s, body: { email: "  Ops@Acme.IO ", reason: "  we run GPUs  " } });
    expect(first.status).toBe(200);
    expect(first.body.onboarded_at).toBeNull();
    expect(first.body.cloud_waitlist_email).toBe("ops@acme.io");
    const second = await call(cloudWaitlist, { session: s, body: { email: "ops@acme.io", reason: "   " } });
    expect(second.status).toBe(200);

    const joined = sink.named("cloud_waitlist_joined");
    expect(joined.map((e) => e.properties.has_reason)).toEqual([true, false]);
    expect(await metricValue("tandem_cloud_waitlist_joined_total")).toBe(before + 2);
    const u = await userRow(s.user.id);
    expect(u.cloudWaitlistReason).toBeNull();
    expect(u.onboardedAt).toBeNull();

    // Completing afterwards reports the waitlist join.
    await call(complete, { session: s, body: { completion_path: "cloud_waitlist" } });
    expect(sink.named("onboarding_completed")[0]!.properties).toMatchObject({ completion_path: "cloud_waitlist", joined_cloud_waitlist: true });
  });

  it.each([
    [{}, "email is required"],
    [{ email: "   " }, "email is required"],
    [{ email: `${"a".repeat(250)}@x.io` }, "email is too long"],
    [{ email: "not-an-email" }, "email is invalid"],
    [{ email: "ops@acme.io", reason: "r".repeat(501) }, "reason is too long"],
  ])("rejects %j with 400, storing nothing and emitting nothing", async (body, message) => {
    const s = await signIn();
    sink.clear();
    const res = await call(cloudWaitlist, { session: s, body });
    expect(res.status).toBe(400);
    expect(res.body.error).toContain(message);
    expect((await userRow(s.user.id)).cloudWaitlistEmail).toBeNull();
    expect(sink.messages).toHaveLength(0);
  });
});

describe("invitation acceptance completes onboarding (invite_accept)", () => {
  it("marks a new invitee onboarded once, however many times the link is accepted", async () => {
    const { owner, workspace } = await ownerWithWorkspace();
    const inviteeEmail = uniqueEmail("invitee");
    const inv = await call(invite, { session: owner, params: { id: workspace.id }, body: { email: inviteeEmail } });
    expect(inv.status).toBe(201);
    const invitee = await signIn(inviteeEmail);
    sink.clear();
    const before = await metricValue("tandem_onboarding_completed_total", { path: "invite_accept" });

    const accepted = await Promise.all(
      Array.from({ length: 5 }, () => call(acceptInvite, { method: "POST", session: invitee, params: { id: inv.body.id } })),
    );
    expect(accepted.map((r) => r.status)).toEqual(Array(5).fill(200));
    const done = sink.named("onboarding_completed");
    expect(done).toHaveLength(1);
    expect(done[0]!.properties).toMatchObject({ completion_path: "invite_accept", workspace_id: workspace.id });
    expect(await metricValue("tandem_onboarding_completed_total", { path: "invite_accept" })).toBe(before + 1);
    expect((await userRow(invitee.user.id)).onboardedAt).not.toBeNull();
  });

  it("does not re-complete a user who was already onboarded", async () => {
    const { owner, workspace } = await ownerWithWorkspace();
    const invitee = await signIn();
    await call(complete, { session: invitee, body: { completion_path: "full" } });
    const inv = await call(invite, { session: owner, params: { id: workspace.id }, body: { email: invitee.user.email } });
    sink.clear();
    expect((await call(acceptInvite, { method: "POST", session: invitee, params: { id: inv.body.id } })).status).toBe(200);
    expect(sink.named("team_invite_accepted")).toHaveLength(1);
    expect(sink.named("onboarding_completed")).toHaveLength(0);
  });
});
