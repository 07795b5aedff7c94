/**
 * The GitHub App integration (integrations inventory §1, acceptance checks 1–17): signed deliveries from a local
 * "GitHub" (the test signs with the test secret), installations connected through the real connect URL and setup
 * callback, PR ↔ issue links, auto-advance, check suites, and the GitHub metrics read through `/api/metrics`.
 */
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as createIssue } from "@/app/api/issues/route";
import { GET as getIssue, PATCH as patchIssue } from "@/app/api/issues/[id]/route";
import { GET as issuePRs } from "@/app/api/issues/[id]/pull-requests/route";
import { GET as listInstallations } from "@/app/api/workspaces/[id]/github/installations/route";
import { DELETE as deleteInstallation, PATCH as patchInstallation } from "@/app/api/workspaces/[id]/github/installations/[installationId]/route";
import { GET as connectGET } from "@/app/api/workspaces/[id]/github/connect/route";
import { GET as setupGET } from "@/app/api/github/setup/route";
import { resetConfigForTests } from "@/lib/config";
import { getDb } from "@/lib/db";
import { githubCheckSuites, githubInstallations, githubPullRequests, issuePullRequests, members } from "@/lib/db/schema";
import { call, signIn, type Session } from "./helpers/api";
import { addMember, ownerWithWorkspace } from "./helpers/workspace";
import { connectInstallation, GITHUB_SECRET, prPayload, sendGithub } from "./helpers/github";
import { scrape, sampleOf } from "./helpers/scrape";

const saved = { ...process.env };
let nextInstallation = 5_000_000 + Math.floor(Math.random() * 1_000_000);

beforeAll(() => {
  process.env.SAMPLER_ENABLED = "false";
});
beforeEach(() => {
  process.env.GITHUB_WEBHOOK_SECRET = GITHUB_SECRET;
  process.env.GITHUB_APP_SLUG = "tandem-test";
  resetConfigForTests();
});
afterAll(() => {
  process.env = { ...saved };
  resetConfigForTests();
});

type Setup = { owner: Session; workspace: { id: string; slug: string; issue_prefix: string }; headers: Record<string, string>; inst: number };

async function setup(): Promise<Setup> {
  const ctx = await ownerWithWorkspace("Acme Robotics");
  const inst = ++nextInstallation;
  await connectInstallation(ctx.owner, ctx.workspace.id, inst);
  return { ...ctx, inst };
}

async function issue(s: Setup, title = "Something") {
  const res = await call(createIssue, { path: "/api/issues", session: s.owner, headers: s.headers, body: { title } });
  return res.body as { id: string; identifier: string; number: number };
}

const statusOf = async (s: Setup, id: string) => (await call(getIssue, { session: s.owner, headers: s.headers, params: { id } })).body.status;
const prsOf = async (s: Setup, id: string) => (await call(issuePRs, { session: s.owner, headers: s.headers, params: { id } })).body.pull_requests;
const prRow = async (s: Setup, number: number) =>
  (await (await getDb()).select().from(githubPullRequests).where(eq(githubPullRequests.workspaceId, s.workspace.id))).find((r) => r.prNumber === number);

describe("POST /api/webhooks/github", () => {
  it("check 1: no secret → 503", async () => {
    delete process.env.GITHUB_WEBHOOK_SECRET;
    resetConfigForTests();
    const res = await sendGithub("ping", { zen: "x" }, { secret: "anything" });
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: "github webhooks not configured" });
  });

  it("check 2: missing, sha1=, non-hex or wrong-key signatures → 401 invalid signature", async () => {
    const body = JSON.stringify({ zen: "x" });
    const { createHmac } = await import("node:crypto");
    for (const signature of [null, `sha1=${createHmac("sha1", GITHUB_SECRET).update(body).digest("hex")}`, "sha256=zzzz", undefined]) {
      const res = await sendGithub("ping", body, { signature, secret: signature === undefined ? "wrong-key" : undefined });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: "invalid signature" });
    }
  });

  it("check 3: a signed ping → 200 pong; any other signed event → 202 with an empty body; counted after the signature", async () => {
    const t0 = await scrape();
    const ping = await sendGithub("ping", { zen: "Keep it logically awesome." });
    expect(ping.status).toBe(200);
    expect(ping.body).toEqual({ ok: "pong" });
    for (const event of ["push", "issues", "made_up_event"]) {
      const res = await sendGithub(event, { action: "opened" });
      expect(res.status).toBe(202);
      expect(res.body).toBeNull();
    }
    await sendGithub("push", { action: "x".repeat(300) }, { signature: "sha256=00" }); // refused: not counted
    const t1 = await scrape();
    const v = (t: string, event_kind: string, action: string) => sampleOf(t, "tandem_github_event_received_total", { event_kind, action });
    expect(v(t1, "ping", "none")).toBe(v(t0, "ping", "none") + 1);
    expect(v(t1, "push", "opened")).toBe(v(t0, "push", "opened") + 1);
    expect(v(t1, "other", "opened")).toBe(v(t0, "other", "opened") + 1);
    expect(t1).not.toContain("made_up_event");
  });

  it("a body over 10 MiB → 413", async () => {
    const res = await sendGithub("push", JSON.stringify({ pad: "x".repeat(10 * 1024 * 1024) }));
    expect(res.status).toBe(413);
  });

  it("check 4: a pull_request for an unknown installation → 202, nothing stored", async () => {
    const s = await setup();
    const res = await sendGithub("pull_request", prPayload(999_999_999, "opened", { title: `${s.workspace.issue_prefix}-1` }));
    expect(res.status).toBe(202);
    expect(await (await getDb()).select().from(githubPullRequests).where(eq(githubPullRequests.installationId, 999_999_999))).toHaveLength(0);
  });

  it("checks 5–6: derived state and mergeable state", async () => {
    const s = await setup();
    await sendGithub("pull_request", prPayload(s.inst, "opened", { number: 1, draft: true, mergeable_state: "clean" }));
    expect(await prRow(s, 1)).toMatchObject({ state: "draft", mergeableState: null });
    await sendGithub("pull_request", prPayload(s.inst, "labeled", { number: 1, draft: true, mergeable_state: "dirty" }));
    expect((await prRow(s, 1))!.mergeableState).toBe("dirty");
    await sendGithub("pull_request", prPayload(s.inst, "labeled", { number: 1, draft: true, mergeable_state: "" }));
    expect((await prRow(s, 1))!.mergeableState).toBe("dirty");
    await sendGithub("pull_request", prPayload(s.inst, "edited", { number: 1, mergeable_state: "clean" }, { changes: { base: { ref: { from: "develop" } } } }));
    expect((await prRow(s, 1))!.mergeableState).toBeNull();
    await sendGithub("pull_request", prPayload(s.inst, "closed", { number: 1, state: "closed", merged: true, draft: true, merged_at: "2026-01-01T12:00:00Z" }));
    expect((await prRow(s, 1))!.state).toBe("merged");
    await sendGithub("pull_request", prPayload(s.inst, "closed", { number: 2, state: "closed", merged: false }));
    expect((await prRow(s, 2))!.state).toBe("closed");
  });

  it("checks 7–8: title and branch link without close intent; `Fixes: X` closes; `Fix login X` and `Disclosed X` never do; other prefixes are ignored", async () => {
    const s = await setup();
    const [a, b, c, d] = [await issue(s), await issue(s), await issue(s), await issue(s)];
    const p = s.workspace.issue_prefix;
    await sendGithub("pull_request", prPayload(s.inst, "opened", { number: 10, title: `${a.identifier}: x`, head: { ref: `${p.toLowerCase()}-${b.number}/y`, sha: "s" }, body: `Fixes: ${c.identifier}\nFix login ${d.identifier}. Disclosed ${d.identifier}. Closes ZZZ-1` }));
    const links = await (await getDb()).select().from(issuePullRequests).where(eq(issuePullRequests.pullRequestId, (await prRow(s, 10))!.id));
    const intent = Object.fromEntries(links.map((l) => [l.issueId, l.closeIntent]));
    expect(intent).toEqual({ [a.id]: false, [b.id]: false, [c.id]: true, [d.id]: false });
    // The issue page lists the PR (by UUID or identifier).
    const prs = await prsOf(s, c.identifier);
    expect(prs).toHaveLength(1);
    expect(prs[0]).toMatchObject({ number: 10, state: "open", repo_owner: "acme", repo_name: "app", close_intent: true, checks_conclusion: null });
  });

  it("check 9: a merged PR with `Closes X` waits for an open sibling; the sibling closing (no keyword) moves X to done", async () => {
    const s = await setup();
    const x = await issue(s);
    await sendGithub("pull_request", prPayload(s.inst, "opened", { number: 20, title: `Part 1 of ${x.identifier}`, body: `Closes ${x.identifier}` }));
    await sendGithub("pull_request", prPayload(s.inst, "opened", { number: 21, title: `Part 2 for ${x.identifier}` }));
    await sendGithub("pull_request", prPayload(s.inst, "closed", { number: 20, state: "closed", merged: true, merged_at: "2026-01-02T10:00:00Z", body: `Closes ${x.identifier}`, title: `Part 1 of ${x.identifier}` }));
    expect(await statusOf(s, x.id)).not.toBe("done");
    await sendGithub("pull_request", prPayload(s.inst, "closed", { number: 21, state: "closed", merged: false, title: `Part 2 for ${x.identifier}` }));
    expect(await statusOf(s, x.id)).toBe("done");
  });

  it("check 10: cancelled/done issues never change; PRs all closed without merge never advance", async () => {
    const s = await setup();
    const cancelled = await issue(s);
    await call(patchIssue, { method: "PATCH", session: s.owner, headers: s.headers, params: { id: cancelled.id }, body: { status: "cancelled" } });
    await sendGithub("pull_request", prPayload(s.inst, "closed", { number: 30, state: "closed", merged: true, merged_at: "2026-01-02T10:00:00Z", body: `Fixes ${cancelled.identifier}` }));
    expect(await statusOf(s, cancelled.id)).toBe("cancelled");
    const y = await issue(s);
    await sendGithub("pull_request", prPayload(s.inst, "closed", { number: 31, state: "closed", merged: false, body: `Fixes ${y.identifier}` }));
    expect(await statusOf(s, y.id)).not.toBe("done");
  });

  it("check 11: with auto_link_prs off the PR is stored but linked to nothing", async () => {
    const s = await setup();
    const x = await issue(s);
    const [row] = await (await getDb()).select().from(githubInstallations).where(eq(githubInstallations.installationId, s.inst));
    const off = await call(patchInstallation, { method: "PATCH", session: s.owner, params: { id: s.workspace.id, installationId: row!.id }, body: { auto_link_prs: false } });
    expect(off.body.auto_link_prs).toBe(false);
    await sendGithub("pull_request", prPayload(s.inst, "closed", { number: 40, state: "closed", merged: true, merged_at: "2026-01-02T10:00:00Z", body: `Fixes ${x.identifier}` }));
    expect(await prRow(s, 40)).toBeDefined();
    expect(await prsOf(s, x.id)).toHaveLength(0);
    expect(await statusOf(s, x.id)).not.toBe("done");
  });

  it("checks 12–13: check suites — only completed with PRs; old heads stored but not counted; a late older event never overwrites", async () => {
    const s = await setup();
    const x = await issue(s);
    await sendGithub("pull_request", prPayload(s.inst, "opened", { number: 50, title: x.identifier, head: { ref: "b", sha: "head-2" } }));
    const suite = (id: number, extra: Record<string, unknown>, action = "completed") =>
      sendGithub("check_suite", {
        action,
        installation: { id: s.inst },
        repository: { name: "app", owner: { login: "acme" } },
        check_suite: { id, head_sha: "head-2", app: { id: 1 }, status: "completed", conclusion: "success", updated_at: "2026-01-01T10:00:00Z", pull_requests: [{ number: 50 }], ...extra },
      });
    await suite(1, {}, "requested");
    await suite(2, { pull_requests: [] });
    expect(await (await getDb()).select().from(githubCheckSuites)).toHaveLength(0);
    await suite(3, { updated_at: "2026-01-01T11:00:00Z", conclusion: "failure" });
    await suite(4, { app: { id: 2 }, head_sha: "head-1", conclusion: "failure" }); // old head
    await suite(5, { app: { id: 3 }, status: "in_progress", conclusion: null });
    let [pr] = await prsOf(s, x.id);
    expect(pr).toMatchObject({ checks_failed: 1, checks_pending: 1, checks_passed: 0, checks_conclusion: "failed" });
    await suite(3, { updated_at: "2026-01-01T12:00:00Z", conclusion: "success" });
    await suite(3, { updated_at: "2026-01-01T09:00:00Z", conclusion: "failure" }); // late and older: ignored
    [pr] = await prsOf(s, x.id);
    expect(pr).toMatchObject({ checks_failed: 0, checks_passed: 1, checks_pending: 1, checks_conclusion: "pending" });
  });

  it("check 14: installation deleted/suspend remove the row; created for an unknown installation creates nothing; created refreshes a known one", async () => {
    const s = await setup();
    const rows = () => (getDb() as Promise<any>).then((db) => db.select().from(githubInstallations).where(eq(githubInstallations.workspaceId, s.workspace.id)));
    await sendGithub("installation", { action: "created", installation: { id: s.inst, account: { login: "acme", type: "Organization", avatar_url: "https://a.example/1" } } });
    expect((await rows())[0]).toMatchObject({ accountLogin: "acme", accountType: "Organization" });
    await sendGithub("installation", { action: "created", installation: { id: 123_456_789_012, account: { login: "x" } } });
    expect(await (await getDb()).select().from(githubInstallations).where(eq(githubInstallations.installationId, 123_456_789_012))).toHaveLength(0);
    await sendGithub("installation", { action: "suspend", installation: { id: s.inst } });
    expect(await rows()).toHaveLength(0);
  });
});

describe("installations API and setup callback", () => {
  it("check 15: tampered, reused or missing state → 302 to settings with the error; success → github_connected=1", async () => {
    const s = await ownerWithWorkspace("Setup Co");
    const connect = await call(connectGET, { session: s.owner, params: { id: s.workspace.id } });
    expect(connect.body.url).toMatch(/^https:\/\/github\.com\/apps\/tandem-test\/installations\/new\?state=/);
    const state = new URL(connect.body.url).searchParams.get("state")!;
    const setup = (q: string) => call(setupGET, { path: `/api/github/setup?${q}` });
    const loc = async (q: string) => (await setup(q)).headers.get("location")!;
    let res = await setup(`installation_id=77&state=${encodeURIComponent(state.slice(0, -2) + "xx")}`);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toMatch(/\/settings\?tab=github&github_error=invalid_state$/);
    expect(await loc("installation_id=77")).toContain("github_error=missing_params");
    expect(await loc(`installation_id=abc&state=${encodeURIComponent(state)}`)).toContain("github_error=bad_installation_id");
    const id = ++nextInstallation;
    // GitHub's `installation created` usually arrives before the installer is sent back: its account is kept.
    await sendGithub("installation", { action: "created", installation: { id, account: { login: "orbit-org", type: "Organization" } } });
    expect(await loc(`installation_id=${id}&state=${encodeURIComponent(state)}`)).toContain("github_connected=1");
    expect(await loc(`installation_id=${id + 1}&state=${encodeURIComponent(state)}`)).toContain("github_error=invalid_state"); // single use
    const [row] = await (await getDb()).select().from(githubInstallations).where(eq(githubInstallations.installationId, id));
    expect(row).toMatchObject({ workspaceId: s.workspace.id, connectedById: null, accountLogin: "orbit-org", accountType: "Organization" }); // no session, no forged header
  });

  it("the installation id in the setup URL is not taken on trust: another workspace's stays there, a made-up one binds nothing", async () => {
    const victim = await setup();
    const attacker = await ownerWithWorkspace("Squatter Co");
    const stateOf = async () => new URL((await call(connectGET, { session: attacker.owner, params: { id: attacker.workspace.id } })).body.url).searchParams.get("state")!;
    const setupWith = async (id: number) =>
      (await call(setupGET, { path: `/api/github/setup?installation_id=${id}&state=${encodeURIComponent(await stateOf())}`, session: attacker.owner })).headers.get("location")!;
    expect(await setupWith(victim.inst)).toContain("github_error=installation_taken");
    const [row] = await (await getDb()).select().from(githubInstallations).where(eq(githubInstallations.installationId, victim.inst));
    expect(row!.workspaceId).toBe(victim.workspace.id);

    // An id GitHub never announced (the callback waits a few seconds for the webhook, then refuses).
    const madeUp = ++nextInstallation;
    expect(await setupWith(madeUp)).toContain("github_error=unknown_installation");
    expect(await (await getDb()).select().from(githubInstallations).where(eq(githubInstallations.installationId, madeUp))).toHaveLength(0);

    // The announcement arriving while the installer waits is enough; and it is claimed once.
    const late = ++nextInstallation;
    const pending = setupWith(late);
    await new Promise((r) => setTimeout(r, 500));
    await sendGithub("installation", { action: "created", installation: { id: late, account: { login: "late-org", type: "Organization" } } });
    expect(await pending).toContain("github_connected=1");
    const [bound] = await (await getDb()).select().from(githubInstallations).where(eq(githubInstallations.installationId, late));
    expect(bound).toMatchObject({ workspaceId: attacker.workspace.id, accountLogin: "late-org", connectedById: attacker.owner.user.id });

    // A link whose issuer has since left the workspace (or lost the role) is dead.
    const admin = await addMember(attacker.workspace.id, "admin");
    const adminState = new URL((await call(connectGET, { session: admin, params: { id: attacker.workspace.id } })).body.url).searchParams.get("state")!;
    await (await getDb()).delete(members).where(and(eq(members.workspaceId, attacker.workspace.id), eq(members.userId, admin.user.id)));
    const gone = ++nextInstallation;
    await sendGithub("installation", { action: "created", installation: { id: gone, account: { login: "gone-org", type: "Organization" } } });
    const refused = await call(setupGET, { path: `/api/github/setup?installation_id=${gone}&state=${encodeURIComponent(adminState)}` });
    expect(refused.headers.get("location")).toContain("github_error=invalid_state");
  }, 20_000);

  it("check 16: members see installations without installation_id and can_manage:false; connect and delete are 403; outsiders 404", async () => {
    const s = await setup();
    const member = await addMember(s.workspace.id, "member");
    const list = await call(listInstallations, { session: member, params: { id: s.workspace.id } });
    expect(list.status).toBe(200);
    expect(list.body.can_manage).toBe(false);
    expect(list.body.configured).toBe(true);
    expect(list.body.installations).toHaveLength(1);
    expect(list.body.installations[0].installation_id).toBeUndefined();
    expect(JSON.stringify(list.body)).not.toContain(String(s.inst));
    const ownerList = await call(listInstallations, { session: s.owner, params: { id: s.workspace.id } });
    expect(ownerList.body.installations[0].installation_id).toBe(s.inst);
    expect(ownerList.body.can_manage).toBe(true);
    const rowId = ownerList.body.installations[0].id;
    expect((await call(connectGET, { session: member, params: { id: s.workspace.id } })).status).toBe(403);
    expect((await call(deleteInstallation, { method: "DELETE", session: member, params: { id: s.workspace.id, installationId: rowId } })).status).toBe(403);
    const outsider = await signIn();
    expect((await call(listInstallations, { session: outsider, params: { id: s.workspace.id } })).status).toBe(404);
    expect((await call(deleteInstallation, { method: "DELETE", session: s.owner, params: { id: s.workspace.id, installationId: "nope" } })).status).toBe(400);
    const admin = await addMember(s.workspace.id, "admin");
    expect((await call(deleteInstallation, { method: "DELETE", session: admin, params: { id: s.workspace.id, installationId: rowId } })).status).toBe(204);
    delete process.env.GITHUB_APP_SLUG;
    resetConfigForTests();
    expect((await call(connectGET, { session: s.owner, params: { id: s.workspace.id } })).body).toEqual({ url: "", configured: false });
  });
});

describe("GitHub metrics", () => {
  it("check 17 + redeliveries: merge seconds once per PR; ≤ 0 and unparseable ignored; reviews counted once per delivery", async () => {
    const s = await setup();
    const t0 = await scrape();
    const count = (t: string) => sampleOf(t, "tandem_github_pr_merge_seconds_count");
    const merged = prPayload(s.inst, "closed", { number: 60, state: "closed", merged: true, created_at: "2026-01-01T10:00:00Z", merged_at: "2026-01-01T12:00:00Z" });
    // The same delivery three times, concurrently, then a later `edited` event of the merged PR.
    await Promise.all([0, 1, 2].map(() => sendGithub("pull_request", merged, { deliveryId: "merge-delivery-60" })));
    await sendGithub("pull_request", { ...merged, action: "edited" });
    // created after merged (≤ 0) and unparseable timestamps observe nothing.
    await sendGithub("pull_request", prPayload(s.inst, "closed", { number: 61, state: "closed", merged: true, created_at: "2026-01-01T12:00:00Z", merged_at: "2026-01-01T10:00:00Z" }));
    await sendGithub("pull_request", prPayload(s.inst, "closed", { number: 62, state: "closed", merged: true, created_at: "yesterday", merged_at: "2026-01-01T10:00:00Z" }));
    const review = (state: string, deliveryId?: string, action = "submitted") =>
      sendGithub("pull_request_review", { action, review: { state }, pull_request: { number: 60 }, installation: { id: s.inst } }, { deliveryId });
    await review("approved", "review-1");
    await review("approved", "review-1"); // redelivery
    await review("changes_requested");
    await review("commented");
    await review("approved", undefined, "dismissed");
    await review("<b>weird</b>");
    const t1 = await scrape();
    expect(count(t1)).toBe(count(t0) + 1);
    expect(sampleOf(t1, "tandem_github_pr_merge_seconds_sum") - sampleOf(t0, "tandem_github_pr_merge_seconds_sum")).toBe(7200);
    expect(sampleOf(t1, "tandem_github_pr_merge_seconds_bucket", { le: "7200" }) - sampleOf(t0, "tandem_github_pr_merge_seconds_bucket", { le: "7200" })).toBe(1);
    const r = (t: string, result: string) => sampleOf(t, "tandem_github_pr_review_total", { result });
    expect(r(t1, "approved")).toBe(r(t0, "approved") + 1);
    expect(r(t1, "changes_requested")).toBe(r(t0, "changes_requested") + 1);
    expect(r(t1, "commented")).toBe(r(t0, "commented") + 1);
    expect(r(t1, "dismissed")).toBe(r(t0, "dismissed") + 1);
    expect(r(t1, "other")).toBe(r(t0, "other") + 1);
    expect(t1).not.toContain("weird");
    expect((await prRow(s, 60))!.mergeObservedAt).not.toBeNull();
  });
});
