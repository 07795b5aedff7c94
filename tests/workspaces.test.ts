import { describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { GET as listWorkspaces, POST as createWorkspace } from "@/app/api/workspaces/route";
import { GET as getWorkspace } from "@/app/api/workspaces/[id]/route";
import { GET as listMembers } from "@/app/api/workspaces/[id]/members/route";
import { POST as invite } from "@/app/api/workspaces/[id]/invitations/route";
import { GET as getInvitation } from "@/app/api/invitations/[id]/route";
import { POST as accept } from "@/app/api/invitations/[id]/accept/route";
import { DELETE as deleteMe } from "@/app/api/me/route";
import { getDb } from "@/lib/db";
import { invitations, members, verificationCodes, workspaces } from "@/lib/db/schema";
import { requireWorkspace } from "@/lib/auth";
import { call, lastMailTo, signIn, uniqueEmail } from "./helpers/api";
import { captureEvents, metricValue } from "./helpers/telemetry";
import { ownerWithWorkspace } from "./helpers/workspace";

const sink = captureEvents();

describe("POST /api/workspaces", () => {
  it("creates a workspace with a derived slug and issue prefix; the creator is owner", async () => {
    const s = await signIn();
    const before = await metricValue("tandem_workspace_created_total", { source: "manual" });
    const res = await call(createWorkspace, { body: { name: "Acme Robotics" }, session: s });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: "Acme Robotics", issue_prefix: "ACM", role: "owner" });
    expect(res.body.slug).toMatch(/^acme-robotics/);
    const [ev] = sink.named("workspace_created");
    expect(ev).toMatchObject({ distinct_id: s.user.id, properties: { workspace_id: res.body.id, source: "manual" } });
    expect(await metricValue("tandem_workspace_created_total", { source: "manual" })).toBe(before + 1);
  });

  it("a taken explicit slug is a 409 and creates nothing; a derived one gets a suffix", async () => {
    const s = await signIn();
    const slug = `team-${Date.now().toString(36)}`;
    expect((await call(createWorkspace, { body: { name: "One", slug }, session: s })).status).toBe(201);
    sink.clear();
    const dup = await call(createWorkspace, { body: { name: "Two", slug }, session: s });
    expect(dup.status).toBe(409);
    expect(sink.named("workspace_created")).toHaveLength(0);
    const a = await call(createWorkspace, { body: { name: "Same Name" }, session: s });
    const b = await call(createWorkspace, { body: { name: "Same Name" }, session: s });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(a.body.slug).not.toBe(b.body.slug);
  });

  it.each([
    ["missing name", { slug: "x" }, 400, /name/],
    ["blank name", { name: "   " }, 400, /name/],
    ["name of the wrong type", { name: ["a"] }, 400, /name/],
    ["invalid slug", { name: "X", slug: "Not A Slug!" }, 400, /slug/],
    ["reserved slug", { name: "X", slug: "admin" }, 409, /reserved/],
    ["slug shaped like a UUID (another workspace's id)", { name: "X", slug: "E4D245D9-4EC8-4516-A430-6EA389B1EA3F" }, 400, /UUID/],
    ["too-long name", { name: "x".repeat(81) }, 400, /name/],
  ])("%s", async (_n, body, status, msg) => {
    const s = await signIn();
    const res = await call(createWorkspace, { body, session: s });
    expect(res.status).toBe(status);
    expect(res.body.error).toMatch(msg);
    expect((await call(listWorkspaces, { session: s })).body.workspaces).toHaveLength(0);
  });

  it("a name that slugifies to a UUID gets a slug that does not read as one, and is found by it", async () => {
    const s = await signIn();
    const res = await call(createWorkspace, { body: { name: "e4d245d9-4ec8-4516-a430-6ea389b1ea3f" }, session: s });
    expect(res.status).toBe(201);
    expect(res.body.slug).toBe("e4d245d9-4ec8-4516-a430-6ea389b1ea3f-ws");
    expect((await call(getWorkspace, { session: s, params: { id: res.body.slug } })).body.id).toBe(res.body.id);
  });

  it("ignores unknown fields (every route strips them; it never trusts them)", async () => {
    const s = await signIn();
    const res = await call(createWorkspace, { body: { name: "Strict Co", id: "00000000-0000-0000-0000-000000000001", role: "admin", issue_prefix: "HAX" }, session: s });
    expect(res.status).toBe(201);
    expect(res.body.id).not.toBe("00000000-0000-0000-0000-000000000001");
    expect(res.body).toMatchObject({ issue_prefix: "STR", role: "owner" });
  });

  it("needs authentication", async () => {
    expect((await call(createWorkspace, { body: { name: "X" } })).status).toBe(401);
  });
});

describe("reading workspaces", () => {
  it("by id or slug for members; another user's workspace is a 404 either way", async () => {
    const { owner, workspace } = await ownerWithWorkspace();
    const stranger = await signIn();
    expect((await call(getWorkspace, { session: owner, params: { id: workspace.id } })).body.slug).toBe(workspace.slug);
    expect((await call(getWorkspace, { session: owner, params: { id: workspace.slug } })).body.id).toBe(workspace.id);
    for (const id of [workspace.id, workspace.slug, "00000000-0000-0000-0000-000000000000", "nope"]) {
      const res = await call(getWorkspace, { session: stranger, params: { id } });
      expect(res.status).toBe(404);
      expect(res.body.error).toBe("workspace not found");
    }
    expect((await call(listMembers, { session: stranger, params: { id: workspace.id } })).status).toBe(404);
    const ms = await call(listMembers, { session: owner, params: { id: workspace.id } });
    expect(ms.body.members).toEqual([expect.objectContaining({ id: owner.user.id, role: "owner" })]);
  });

  it("workspace scope: header, slug header or query; missing or malformed is a 400; not a member is a 404", async () => {
    const { owner, workspace } = await ownerWithWorkspace();
    const stranger = await signIn();
    const principal = { user: { ...owner.user, id: owner.user.id } as never, via: "session" as const };
    const req = (headers: Record<string, string>, q = "") => new Request(`http://localhost/api/issues${q}`, { headers });
    expect((await requireWorkspace(req({ "x-workspace-id": workspace.id }), principal)).workspace.id).toBe(workspace.id);
    expect((await requireWorkspace(req({ "x-workspace-slug": workspace.slug }), principal)).workspace.id).toBe(workspace.id);
    expect((await requireWorkspace(req({}, `?workspace_id=${workspace.id}`), principal)).workspace.id).toBe(workspace.id);
    await expect(requireWorkspace(req({}), principal)).rejects.toMatchObject({ status: 400, message: "workspace_id is required" });
    await expect(requireWorkspace(req({ "x-workspace-id": "1; drop table" }), principal)).rejects.toMatchObject({ status: 400 });
    const other = { user: { id: stranger.user.id } as never, via: "session" as const };
    await expect(requireWorkspace(req({ "x-workspace-id": workspace.id }), other)).rejects.toMatchObject({ status: 404 });
  });
});

describe("invitations", () => {
  it("owner invites by email; the link is mailed; the invitee accepts once", async () => {
    const { owner, workspace } = await ownerWithWorkspace("Invite Co");
    const inviteeEmail = uniqueEmail("invitee", "Partner.Example");
    const res = await call(invite, { params: { id: workspace.id }, body: { email: inviteeEmail.toUpperCase() }, session: owner });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ email: inviteeEmail.toLowerCase(), role: "member", status: "pending" });
    expect(lastMailTo(inviteeEmail.toLowerCase())).toContain(`/invite/${res.body.id}`);
    expect(sink.named("team_invite_sent")[0]!.properties).toMatchObject({ invited_email_domain: "partner.example", invite_method: "email" });

    const invitee = await signIn(inviteeEmail.toLowerCase());
    expect((await call(getInvitation, { session: invitee, params: { id: res.body.id } })).body.workspace_name).toBe("Invite Co");
    const before = await metricValue("tandem_team_invite_accepted_total");
    const results = await Promise.all(Array.from({ length: 10 }, () => call(accept, { method: "POST", session: invitee, params: { id: res.body.id } })));
    expect(results.every((r) => r.status === 200 && r.body.workspace.id === workspace.id)).toBe(true);
    expect(sink.named("team_invite_accepted")).toHaveLength(1);
    expect(sink.named("team_invite_accepted")[0]!.properties.days_since_invite).toBe(0);
    expect(await metricValue("tandem_team_invite_accepted_total")).toBe(before + 1);
    const ms = await call(listMembers, { session: invitee, params: { id: workspace.id } });
    expect(ms.body.members.map((m: { role: string }) => m.role).sort()).toEqual(["member", "owner"]);
  });

  it("only owners and admins invite; only owners invite admins; members are 403", async () => {
    const { owner, workspace } = await ownerWithWorkspace();
    const db = await getDb();
    const admin = await signIn();
    const member = await signIn();
    await db.insert(members).values([
      { workspaceId: workspace.id, userId: admin.user.id, role: "admin" },
      { workspaceId: workspace.id, userId: member.user.id, role: "member" },
    ]);
    expect((await call(invite, { params: { id: workspace.id }, body: { email: uniqueEmail() }, session: member })).status).toBe(403);
    expect((await call(invite, { params: { id: workspace.id }, body: { email: uniqueEmail(), role: "admin" }, session: admin })).status).toBe(403);
    expect((await call(invite, { params: { id: workspace.id }, body: { email: uniqueEmail() }, session: admin })).status).toBe(201);
    expect((await call(invite, { params: { id: workspace.id }, body: { email: uniqueEmail(), role: "admin" }, session: owner })).status).toBe(201);
    expect((await call(invite, { params: { id: workspace.id }, body: { email: uniqueEmail(), role: "owner" }, session: owner })).status).toBe(400);
    expect((await call(invite, { params: { id: workspace.id }, body: { email: "nope" }, session: owner })).status).toBe(400);
    expect((await call(invite, { params: { id: workspace.id }, body: { email: member.user.email }, session: owner })).status).toBe(409);
    const stranger = await signIn();
    expect((await call(invite, { params: { id: workspace.id }, body: { email: uniqueEmail() }, session: stranger })).status).toBe(404);
  });

  it("someone else cannot read or accept an invitation (404), nor an expired one (409)", async () => {
    const { owner, workspace } = await ownerWithWorkspace();
    const res = await call(invite, { params: { id: workspace.id }, body: { email: uniqueEmail() }, session: owner });
    const intruder = await signIn();
    expect((await call(getInvitation, { session: intruder, params: { id: res.body.id } })).status).toBe(404);
    expect((await call(accept, { method: "POST", session: intruder, params: { id: res.body.id } })).status).toBe(404);
    expect((await call(accept, { method: "POST", session: intruder, params: { id: "garbage" } })).status).toBe(404);

    const email = uniqueEmail();
    const late = await call(invite, { params: { id: workspace.id }, body: { email }, session: owner });
    await (await getDb()).update(invitations).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(invitations.id, late.body.id));
    const invitee = await signIn(email);
    expect((await call(accept, { method: "POST", session: invitee, params: { id: late.body.id } })).status).toBe(409);
    // Expired, it no longer stands in the way of a new invitation.
    expect((await call(invite, { params: { id: workspace.id }, body: { email }, session: owner })).status).toBe(201);
  });

  it("one pending invitation per email: a second one, in any case or at the same moment, is a 409 and mails nothing", async () => {
    const { owner, workspace } = await ownerWithWorkspace();
    const email = uniqueEmail("twice");
    const sentBefore = sink.named("team_invite_sent").length;
    const results = await Promise.all(
      [email, email.toUpperCase(), email, email].map((e) => call(invite, { params: { id: workspace.id }, body: { email: e }, session: owner })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    expect(results.find((r) => r.status === 409)!.body.error).toBe("an invitation to this email is already pending");
    expect(sink.named("team_invite_sent").length - sentBefore).toBe(1);
    const pending = await (await getDb()).select().from(invitations).where(and(eq(invitations.workspaceId, workspace.id), eq(invitations.status, "pending")));
    expect(pending).toHaveLength(1);
  });

  it("an invitation left over after joining by another is used up without counting a second acceptance", async () => {
    const { owner, workspace } = await ownerWithWorkspace();
    const email = uniqueEmail("joined");
    const first = await call(invite, { params: { id: workspace.id }, body: { email }, session: owner });
    const invitee = await signIn(email);
    const before = await metricValue("tandem_team_invite_accepted_total");
    expect((await call(accept, { method: "POST", session: invitee, params: { id: first.body.id } })).status).toBe(200);
    // Another invitation to the same person (from before the one-pending rule), made directly: accepting it joins nobody.
    const [second] = await (await getDb())
      .insert(invitations)
      .values({ workspaceId: workspace.id, email, role: "member", expiresAt: new Date(Date.now() + 86_400_000) })
      .returning();
    const again = await call(accept, { method: "POST", session: invitee, params: { id: second!.id } });
    expect(again.status).toBe(200);
    expect(await metricValue("tandem_team_invite_accepted_total")).toBe(before + 1);
    expect(sink.named("team_invite_accepted").filter((e) => e.distinct_id === invitee.user.id)).toHaveLength(1);
    const [used] = await (await getDb()).select().from(invitations).where(eq(invitations.id, second!.id));
    expect(used!.status).toBe("accepted");
  });
});

describe("DELETE /api/me (erasure)", () => {
  it("deletes workspaces where the user is alone, hands shared ones to the next admin, and records account_deleted", async () => {
    const { owner, workspace: solo } = await ownerWithWorkspace("Solo");
    const shared = (await call(createWorkspace, { body: { name: "Shared" }, session: owner })).body;
    const admin = await signIn();
    const db = await getDb();
    await db.insert(members).values({ workspaceId: shared.id, userId: admin.user.id, role: "admin" });
    const before = await metricValue("tandem_business_account_deletions_total");
    const res = await call(deleteMe, { method: "DELETE", session: owner, body: { confirm_email: owner.user.email.toUpperCase() } });
    expect(res.status).toBe(204);
    expect(res.headers.get("set-cookie")).toMatch(/tandem_session=;.*Max-Age=0/);
    expect(await db.select().from(workspaces).where(eq(workspaces.id, solo.id))).toHaveLength(0);
    const [m] = await db.select().from(members).where(eq(members.workspaceId, shared.id));
    expect(m).toMatchObject({ userId: admin.user.id, role: "owner" });
    expect(sink.named("account_deleted")).toHaveLength(1);
    expect(await metricValue("tandem_business_account_deletions_total")).toBe(before + 1);
    // The address goes too: no sign-in code row keeps it.
    expect(await db.select().from(verificationCodes).where(eq(verificationCodes.email, owner.user.email))).toHaveLength(0);
  });

  it("a wrong or missing confirmation changes nothing", async () => {
    const s = await signIn();
    expect((await call(deleteMe, { method: "DELETE", session: s, body: {} })).status).toBe(400);
    expect((await call(deleteMe, { method: "DELETE", session: s, body: { confirm_email: "other@example.com" } })).status).toBe(400);
    expect((await call(deleteMe, { method: "DELETE", session: s, noOrigin: true, body: { confirm_email: s.user.email } })).status).toBe(403);
    expect(sink.named("account_deleted")).toHaveLength(0);
  });
});
