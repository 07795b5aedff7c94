import { and, eq, isNull } from "drizzle-orm";
import type { Db, Tx } from "@/lib/db";
import { accessTokens, invitations, members, workspaces } from "@/lib/db/schema";
import { isUuid, type Membership, type Role } from "@/lib/auth/guard";
import { conflict, forbidden, notFound } from "@/lib/http/errors";

/**
 * Managing a workspace's people: removing a member (or leaving), changing a role, withdrawing an invitation.
 *
 * Rules: an owner may do anything; an admin may manage members and admins but not owners, and may not make anyone
 * an owner; a member may only leave. A workspace always keeps an owner: the last one can neither leave, be removed
 * nor be demoted. Each change locks the workspace row first, so two owners leaving at once cannot both succeed.
 */

async function roleIn(tx: Tx, workspaceId: string, userId: string): Promise<Role | null> {
  const [row] = await tx
    .select({ role: members.role })
    .from(members)
    .where(and(eq(members.workspaceId, workspaceId), eq(members.userId, userId)));
  return (row?.role as Role | undefined) ?? null;
}

/**
 * Locks the workspace row, then reads the caller's role again and the target's, both under the lock: a caller
 * demoted or removed by a change that committed first acts with what they are now (a removed one gets the 404 an
 * outsider gets). Another workspace's or nobody's target → 404.
 */
async function lockedRoles(tx: Tx, m: Membership, targetId: string): Promise<{ caller: Membership; target: Role }> {
  await tx.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.id, m.workspace.id)).for("update");
  const callerRole = await roleIn(tx, m.workspace.id, m.user.id);
  if (!callerRole) throw notFound("workspace not found");
  const target = isUuid(targetId) ? await roleIn(tx, m.workspace.id, targetId) : null;
  if (!target) throw notFound("member not found");
  return { caller: { ...m, role: callerRole }, target };
}

async function assertAnotherOwner(tx: Tx, workspaceId: string, what: string): Promise<void> {
  const owners = await tx
    .select({ userId: members.userId })
    .from(members)
    .where(and(eq(members.workspaceId, workspaceId), eq(members.role, "owner")));
  if (owners.length <= 1) throw conflict(`the workspace's last owner cannot ${what}; make someone else an owner first`);
}

function assertMayManage(m: Membership, targetRole: Role): void {
  if (m.role === "member") throw forbidden("requires role owner or admin");
  if (targetRole === "owner" && m.role !== "owner") throw forbidden("only an owner can change an owner");
}

/**
 * Removes `userId` from the workspace (or the caller leaves, with their own id). What they could still act through
 * goes with it: their daemon tokens for this workspace (a daemon must not keep taking its work) and the pending
 * invitations they sent (a way back in through another mailbox).
 */
export async function removeMember(db: Db, m: Membership, userId: string): Promise<void> {
  const target = userId.toLowerCase();
  const self = target === m.user.id;
  await db.transaction(async (tx) => {
    const { caller, target: role } = await lockedRoles(tx, m, target);
    if (!self) assertMayManage(caller, role);
    if (role === "owner") await assertAnotherOwner(tx, m.workspace.id, self ? "leave" : "be removed");
    await tx.delete(members).where(and(eq(members.workspaceId, m.workspace.id), eq(members.userId, target)));
    await tx
      .update(accessTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(accessTokens.workspaceId, m.workspace.id), eq(accessTokens.userId, target), eq(accessTokens.kind, "daemon"), isNull(accessTokens.revokedAt)));
    await tx
      .update(invitations)
      .set({ status: "revoked" })
      .where(and(eq(invitations.workspaceId, m.workspace.id), eq(invitations.invitedBy, target), eq(invitations.status, "pending")));
  });
}

/** Sets a member's role. Only an owner makes or unmakes owners; the last owner keeps the role. */
export async function changeMemberRole(db: Db, m: Membership, userId: string, role: Role) {
  return db.transaction(async (tx) => {
    const target = userId.toLowerCase();
    const { caller, target: current } = await lockedRoles(tx, m, target);
    assertMayManage(caller, current);
    if (role === "owner" && caller.role !== "owner") throw forbidden("only an owner can make someone an owner");
    if (current === "owner" && role !== "owner") await assertAnotherOwner(tx, m.workspace.id, "step down");
    await tx.update(members).set({ role }).where(and(eq(members.workspaceId, m.workspace.id), eq(members.userId, target)));
    return { user_id: target, role };
  });
}

/** Withdraws a pending invitation (owner/admin): its link stops working. An accepted one → 409. */
export async function revokeInvitation(db: Db, m: Membership, invitationId: string): Promise<void> {
  if (m.role === "member") throw forbidden("requires role owner or admin");
  if (!isUuid(invitationId)) throw notFound("invitation not found");
  const id = invitationId.toLowerCase();
  const [revoked] = await db
    .update(invitations)
    .set({ status: "revoked" })
    .where(and(eq(invitations.id, id), eq(invitations.workspaceId, m.workspace.id), eq(invitations.status, "pending")))
    .returning({ id: invitations.id });
  if (revoked) return;
  const [row] = await db
    .select({ status: invitations.status })
    .from(invitations)
    .where(and(eq(invitations.id, id), eq(invitations.workspaceId, m.workspace.id)));
  if (!row || row.status === "revoked") throw notFound("invitation not found");
  throw conflict("the invitation was already accepted");
}
