/**
 * Managing a workspace's people: removing members and leaving, role changes, withdrawing invitations; the rules on
 * who may do what, and that a workspace always keeps an owner (also when two owners leave at the same moment).
 */
import { describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { GET as listMembers } from "@/app/api/workspaces/[id]/members/route";
import { DELETE as removeMember, PATCH as changeRole } from "@/app/api/workspaces/[id]/members/[userId]/route";
import { POST as invite } from "@/app/api/workspaces/[id]/invitations/route";
import { DELETE as revokeInvitation } from "@/app/api/workspaces/[id]/invitations/[invitationId]/route";
import { POST as accept } from "@/app/api/invitations/[id]/accept/route";
import { POST as createDaemonToken } from "@/app/api/runtimes/daemon-tokens/route";
import { getDb } from "@/lib/db";
import { accessTokens, invitations, members, users } from "@/lib/db/schema";
import { requireWorkspaceMember } from "@/lib/auth";
import { changeMemberRole, removeMember as removeMemberDirect } from "@/lib/workspaces";
import { call, signIn, uniqueEmail, type Session } from "./helpers/api";
import { addMember, ownerWithWorkspace } from "./helpers/workspace";

const remove = (s: Session, workspaceId: string, userId: string) => call(removeMember, { method: "DELETE", session: s, params: { id: workspaceId, userId } });
const setRole = (s: Session, workspaceId: string, userId: string, role: string) =>
  call(changeRole, { method: "PATCH", session: s, params: { id: workspaceId, userId }, body: { role } });
const roleOf = async (workspaceId: string, userId: string) =>
  (await (await getDb()).select({ role: members.role }).from(members).where(and(eq(members.workspaceId, workspaceId), eq(members.userId, userId))))[0]?.role ?? null;

describe("removing members and leaving", () => {
  it("an owner or admin removes a member, who then gets a 404; a member cannot remove anyone", async () => {
    const { owner, workspace } = await ownerWithWorkspace();
    const admin = await addMember(workspace.id, "admin");
    const a = await addMember(workspace.id, "member");
    const b = await addMember(workspace.id, "member");
    expect((await remove(a, workspace.id, b.user.id)).status).toBe(403);
    expect((await remove(admin, workspace.id, a.user.id)).status).toBe(204);
    expect((await call(listMembers, { session: a, params: { id: workspace.id } })).status).toBe(404);
    expect((await remove(owner, workspace.id, b.user.id)).status).toBe(204);
    expect(await roleOf(workspace.id, b.user.id)).toBeNull();
    expect((await remove(owner, workspace.id, b.user.id)).status).toBe(404); // already gone
    const other = await ownerWithWorkspace("Elsewhere");
    expect((await remove(owner, workspace.id, other.owner.user.id)).status).toBe(404); // not a member here
    expect((await remove(other.owner, workspace.id, admin.user.id)).status).toBe(404); // not their workspace
  });

  it("an admin cannot remove an owner; the last owner can neither leave nor be removed; anyone else may leave", async () => {
    const { owner, workspace } = await ownerWithWorkspace();
    const admin = await addMember(workspace.id, "admin");
    const member = await addMember(workspace.id, "member");
    expect(await remove(admin, workspace.id, owner.user.id)).toMatchObject({ status: 403, body: { error: "only an owner can change an owner" } });
    const leave = await remove(owner, workspace.id, owner.user.id);
    expect(leave.status).toBe(409);
    expect(leave.body.error).toMatch(/last owner cannot leave/);
    expect((await remove(member, workspace.id, member.user.id)).status).toBe(204);
    expect((await remove(admin, workspace.id, admin.user.id)).status).toBe(204);
    expect(await roleOf(workspace.id, owner.user.id)).toBe("owner");
  });

  it("of two owners leaving at the same moment, one leaves and the other stays owner", async () => {
    const { owner, workspace } = await ownerWithWorkspace();
    const second = await addMember(workspace.id, "owner");
    const results = await Promise.all([remove(owner, workspace.id, owner.user.id), remove(second, workspace.id, second.user.id)]);
    expect(results.map((r) => r.status).sort()).toEqual([204, 409]);
    const owners = await (await getDb()).select().from(members).where(and(eq(members.workspaceId, workspace.id), eq(members.role, "owner")));
    expect(owners).toHaveLength(1);
  });

  it("a removed member's daemon tokens for the workspace and pending invitations they sent are revoked; their accepted invitation does not let them back", async () => {
    const { owner, workspace } = await ownerWithWorkspace();
    const adminEmail = uniqueEmail();
    const invited = await call(invite, { session: owner, params: { id: workspace.id }, body: { email: adminEmail, role: "admin" } });
    const admin = await signIn(adminEmail);
    expect((await call(accept, { session: admin, params: { id: invited.body.id } })).status).toBe(200);
    const created = await call(createDaemonToken, { session: admin, headers: { "x-workspace-id": workspace.id }, body: { name: "laptop" } });
    expect(created.status).toBe(201);
    const sent = await call(invite, { session: admin, params: { id: workspace.id }, body: { email: uniqueEmail() } });
    expect(sent.status).toBe(201);
    expect((await remove(owner, workspace.id, admin.user.id)).status).toBe(204);
    const db = await getDb();
    const [token] = await db.select().from(accessTokens).where(and(eq(accessTokens.userId, admin.user.id), eq(accessTokens.kind, "daemon")));
    expect(token!.revokedAt).not.toBeNull();
    expect((await db.select().from(invitations).where(eq(invitations.id, sent.body.id)))[0]!.status).toBe("revoked");
    expect((await call(accept, { session: admin, params: { id: invited.body.id } })).status).toBe(409);
    expect(await roleOf(workspace.id, admin.user.id)).toBeNull();
  });

  it("a caller demoted or removed by a change that committed first acts as what they are now", async () => {
    const { owner, workspace } = await ownerWithWorkspace();
    const second = await addMember(workspace.id, "owner");
    const member = await addMember(workspace.id, "member");
    const db = await getDb();
    const [secondUser] = await db.select().from(users).where(eq(users.id, second.user.id));
    const stale = await requireWorkspaceMember(db, secondUser!, workspace.id); // read while still an owner
    expect((await setRole(owner, workspace.id, second.user.id, "member")).status).toBe(200);
    await expect(changeMemberRole(db, stale, member.user.id, "owner")).rejects.toMatchObject({ status: 403 });
    expect((await remove(owner, workspace.id, second.user.id)).status).toBe(204);
    await expect(removeMemberDirect(db, stale, member.user.id)).rejects.toMatchObject({ status: 404 });
    expect(await roleOf(workspace.id, member.user.id)).toBe("member");
  });
});

describe("changing roles", () => {
  it("owners and admins promote and demote members and admins; only an owner makes or unmakes owners", async () => {
    const { owner, workspace } = await ownerWithWorkspace();
    const admin = await addMember(workspace.id, "admin");
    const member = await addMember(workspace.id, "member");
    expect((await setRole(member, workspace.id, admin.user.id, "member")).status).toBe(403);
    expect(await setRole(admin, workspace.id, member.user.id, "admin")).toMatchObject({ status: 200, body: { user_id: member.user.id, role: "admin" } });
    expect((await setRole(admin, workspace.id, member.user.id, "owner")).status).toBe(403);
    expect((await setRole(admin, workspace.id, owner.user.id, "member")).status).toBe(403);
    expect((await setRole(owner, workspace.id, member.user.id, "owner")).status).toBe(200);
    expect(await roleOf(workspace.id, member.user.id)).toBe("owner");
    // Now two owners: one may step down; then the other, the last, may not.
    expect((await setRole(owner, workspace.id, owner.user.id, "admin")).status).toBe(200);
    expect((await setRole(member, workspace.id, member.user.id, "admin")).status).toBe(409);
    expect((await setRole(member, workspace.id, admin.user.id, "boss")).status).toBe(400);
    expect((await setRole(member, workspace.id, "not-a-user", "admin")).status).toBe(404);
  });
});

describe("withdrawing invitations", () => {
  it("an owner or admin withdraws a pending invitation; its link stops working; members get 403, others 404", async () => {
    const { owner, workspace } = await ownerWithWorkspace();
    const member = await addMember(workspace.id, "member");
    const email = uniqueEmail();
    const inv = await call(invite, { session: owner, params: { id: workspace.id }, body: { email } });
    expect(inv.status).toBe(201);
    const revoke = (s: Session, ws = workspace.id) => call(revokeInvitation, { method: "DELETE", session: s, params: { id: ws, invitationId: inv.body.id } });
    expect((await revoke(member)).status).toBe(403);
    const other = await ownerWithWorkspace("Elsewhere");
    expect((await revoke(other.owner, other.workspace.id)).status).toBe(404);
    expect((await revoke(owner)).status).toBe(204);
    expect((await revoke(owner)).status).toBe(404);
    const invitee = await signIn(email);
    expect((await call(accept, { session: invitee, params: { id: inv.body.id } })).status).toBe(404);
    // An invitation that was accepted cannot be withdrawn.
    const email2 = uniqueEmail();
    const inv2 = await call(invite, { session: owner, params: { id: workspace.id }, body: { email: email2 } });
    expect((await call(accept, { session: await signIn(email2), params: { id: inv2.body.id } })).status).toBe(200);
    const late = await call(revokeInvitation, { method: "DELETE", session: owner, params: { id: workspace.id, invitationId: inv2.body.id } });
    expect(late.status).toBe(409);
  });
});
