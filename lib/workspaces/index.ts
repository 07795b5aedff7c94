import { randomBytes } from "node:crypto";
import { and, asc, count, desc, eq, lte, ne, sql } from "drizzle-orm";
import { config } from "@/lib/config";
import type { Db } from "@/lib/db";
import { analyticsOutbox, invitations, members, users, verificationCodes, workspaces } from "@/lib/db/schema";
import { isUuid, type Membership, type Role, type Workspace } from "@/lib/auth/guard";
import { sendMail } from "@/lib/auth/mail";
import type { User } from "@/lib/auth/users";
import { badRequest, conflict, forbidden, notFound, unavailable } from "@/lib/http/errors";
import { markOnboarded } from "@/lib/onboarding";
import { events, recordEvent, withEvents } from "@/lib/telemetry";
import { requestPersonErasure } from "@/lib/telemetry/erasure";
import { identifyWorkspaceGroup } from "@/lib/telemetry/groups";
import { deriveIssuePrefix, RESERVED_SLUGS, slugify, SLUG_PATTERN } from "./names";

export { deriveIssuePrefix, slugify, workspaceName } from "./names";
export { changeMemberRole, removeMember, revokeInvitation } from "./members";

export function workspaceResponse(w: Workspace, role?: Role) {
  return {
    id: w.id,
    name: w.name,
    slug: w.slug,
    issue_prefix: w.issuePrefix,
    created_at: w.createdAt.toISOString(),
    ...(role ? { role } : {}),
  };
}

const isUniqueViolation = (err: unknown) =>
  typeof err === "object" && err !== null && ((err as { code?: string }).code === "23505" || (err as { cause?: { code?: string } }).cause?.code === "23505");

/** Creates a workspace with the caller as owner. A requested slug that is taken is a 409; a derived one gets a suffix. */
export async function createWorkspace(db: Db, user: User, input: { name: string; slug?: string }) {
  const name = input.name.trim();
  if (!name) throw badRequest("name is required");
  let slug = input.slug?.trim().toLowerCase();
  if (slug !== undefined) {
    if (!SLUG_PATTERN.test(slug)) throw badRequest("slug must be 1-40 lower-case letters, digits or dashes");
    if (RESERVED_SLUGS.has(slug)) throw conflict("slug is reserved");
    // A workspace is found by id or slug: a slug shaped like an id could name another workspace.
    if (isUuid(slug)) throw badRequest("slug must not have the shape of a UUID");
  }
  const explicit = slug !== undefined;
  const base = slug || slugify(name) || "workspace";
  for (let attempt = 0; attempt < 5; attempt++) {
    const candidate = explicit || attempt === 0 ? (RESERVED_SLUGS.has(base) || isUuid(base) ? `${base}-ws` : base) : `${base.slice(0, 33)}-${randomBytes(3).toString("hex")}`;
    try {
      const ws = await withEvents(db, async (tx) => {
        const [w] = await tx
          .insert(workspaces)
          .values({ name, slug: candidate, issuePrefix: deriveIssuePrefix(name), createdBy: user.id })
          .returning();
        await tx.insert(members).values({ workspaceId: w!.id, userId: user.id, role: "owner" });
        recordEvent(events.workspaceCreated({ userId: user.id, workspaceId: w!.id }), tx);
        identifyWorkspaceGroup(tx, { workspaceId: w!.id, actorId: user.id, memberCount: 1, createdAt: w!.createdAt });
        return w!;
      });
      return workspaceResponse(ws, "owner");
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      if (explicit) throw conflict("slug is already taken");
    }
  }
  throw conflict("could not find a free slug; pass one explicitly");
}

/** Renames a workspace (owner/admin; the route checks the role). Its PostHog group is identified again. */
export async function renameWorkspace(db: Db, actor: User, workspace: Workspace, rawName: string) {
  const name = rawName.trim();
  if (!name) throw badRequest("name is required");
  const w = await withEvents(db, async (tx) => {
    const [renamed] = await tx.update(workspaces).set({ name }).where(eq(workspaces.id, workspace.id)).returning();
    const [{ n }] = await tx.select({ n: count() }).from(members).where(eq(members.workspaceId, workspace.id));
    identifyWorkspaceGroup(tx, { workspaceId: workspace.id, actorId: actor.id, memberCount: n!, createdAt: renamed!.createdAt });
    return renamed!;
  });
  return w;
}

export async function listWorkspaces(db: Db, userId: string) {
  const rows = await db
    .select({ w: workspaces, role: members.role })
    .from(members)
    .innerJoin(workspaces, eq(workspaces.id, members.workspaceId))
    .where(eq(members.userId, userId))
    .orderBy(asc(workspaces.createdAt));
  return rows.map((r) => workspaceResponse(r.w, r.role as Role));
}

export async function listMembers(db: Db, workspaceId: string) {
  const rows = await db
    .select({ id: users.id, email: users.email, name: users.name, role: members.role, joined_at: members.createdAt })
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(eq(members.workspaceId, workspaceId))
    .orderBy(asc(members.createdAt));
  return rows.map((r) => ({ ...r, joined_at: r.joined_at.toISOString() }));
}

const INVITE_TTL_MS = 14 * 86_400_000;

function invitationResponse(i: typeof invitations.$inferSelect) {
  return {
    id: i.id,
    workspace_id: i.workspaceId,
    email: i.email,
    role: i.role,
    status: i.status,
    created_at: i.createdAt.toISOString(),
    expires_at: i.expiresAt.toISOString(),
  };
}

/** Owner/admin invites an email; the link is mailed. Only an owner may invite an admin. */
export async function createInvitation(
  db: Db,
  m: Membership,
  input: { email: string; role: "admin" | "member" },
  appOrigin: string,
) {
  if (input.role === "admin" && m.role !== "owner") throw forbidden("only an owner can invite an admin");
  const [already] = await db
    .select({ id: users.id })
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(and(eq(members.workspaceId, m.workspace.id), eq(users.email, input.email)));
  if (already) throw conflict("this person is already a member");
  // An expired invitation no longer stands in the way of a new one.
  await db
    .update(invitations)
    .set({ status: "revoked" })
    .where(and(eq(invitations.workspaceId, m.workspace.id), eq(invitations.email, input.email), eq(invitations.status, "pending"), lte(invitations.expiresAt, new Date())));
  let inv: typeof invitations.$inferSelect | undefined;
  try {
    [inv] = await db
      .insert(invitations)
      .values({
        workspaceId: m.workspace.id,
        email: input.email,
        role: input.role,
        invitedBy: m.user.id,
        expiresAt: new Date(Date.now() + INVITE_TTL_MS),
      })
      .returning();
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict("an invitation to this email is already pending");
    throw err;
  }
  const link = `${config().APP_URL ?? appOrigin}/invite/${inv!.id}`;
  try {
    await sendMail({
      to: input.email,
      subject: `${m.user.name || m.user.email} invited you to ${m.workspace.name} on Tandem`,
      text: `You have been invited to join ${m.workspace.name} on Tandem.\nAccept the invitation: ${link}\n`,
    });
  } catch (err) {
    // An invitation nobody was told about is worse than none: undo it, and say the mail is what failed.
    console.error("invitation: mail failed:", err);
    await db.delete(invitations).where(eq(invitations.id, inv!.id));
    throw unavailable("could not send the invitation email; try again later");
  }
  await recordEvent(events.teamInviteSent({ inviterId: m.user.id, workspaceId: m.workspace.id, invitedEmail: input.email }));
  return invitationResponse(inv!);
}

/** Invitations a workspace has sent, newest first (owners/admins see them on the workspace home). */
export async function listInvitations(db: Db, workspaceId: string) {
  const rows = await db.select().from(invitations).where(eq(invitations.workspaceId, workspaceId)).orderBy(desc(invitations.createdAt)).limit(200);
  return rows.map(invitationResponse);
}

/**
 * Whether an invitation with this id was sent and not withdrawn: a visitor who followed a link is asked to log in
 * only for one that exists (its id is a random UUID, the link's secret).
 */
export async function invitationExists(db: Db, id: string): Promise<boolean> {
  if (!isUuid(id)) return false;
  const [row] = await db.select({ status: invitations.status }).from(invitations).where(eq(invitations.id, id));
  return row !== undefined && row.status !== "revoked";
}

/** What the invitee sees before accepting (only for the invited email; anything else is a 404). */
export async function getInvitationForUser(db: Db, user: User, id: string) {
  const [row] = await db
    .select({ inv: invitations, workspaceName: workspaces.name, workspaceSlug: workspaces.slug })
    .from(invitations)
    .innerJoin(workspaces, eq(workspaces.id, invitations.workspaceId))
    .where(eq(invitations.id, id));
  if (!row || row.inv.email !== user.email) throw notFound("invitation not found");
  return { ...invitationResponse(row.inv), workspace_name: row.workspaceName, workspace_slug: row.workspaceSlug };
}

/**
 * pending → accepted is one atomic flip, so `team_invite_accepted` fires once however many times the link is
 * clicked. The caller is then a member; accepting again is a no-op that returns the same workspace.
 * Returns whether this call did the flip (the onboarding completion hangs off it).
 */
export async function acceptInvitation(db: Db, user: User, id: string) {
  const [inv] = await db.select().from(invitations).where(eq(invitations.id, id));
  if (!inv || inv.email !== user.email) throw notFound("invitation not found");
  if (inv.status === "revoked") throw notFound("invitation not found");
  if (inv.status === "pending" && inv.expiresAt.getTime() <= Date.now()) throw conflict("invitation has expired");

  const flipped = await withEvents(db, async (tx) => {
    const [row] = await tx
      .update(invitations)
      .set({ status: "accepted", acceptedAt: new Date() })
      .where(and(eq(invitations.id, id), eq(invitations.status, "pending")))
      .returning();
    if (row) {
      const joined = await tx.insert(members).values({ workspaceId: row.workspaceId, userId: user.id, role: row.role }).onConflictDoNothing().returning();
      // Already a member (by another invitation): the invitation is used up, but nobody joined.
      if (joined.length === 0) return null;
      recordEvent(events.teamInviteAccepted({ userId: user.id, workspaceId: row.workspaceId, invitedAt: row.createdAt, acceptedAt: row.acceptedAt! }), tx);
      // An invitee skips the questionnaire: joining a team completes onboarding (only if they had not already).
      await markOnboarded(tx, user.id, "invite_accept", row.workspaceId);
    }
    return row;
  });
  if (!flipped) {
    // Nothing flipped: fine if the caller is a member (accepted before, or joined by another invitation); not if the
    // invitation was withdrawn meanwhile, nor if it was used and its member has since been removed.
    const [member] = await db
      .select({ role: members.role })
      .from(members)
      .where(and(eq(members.workspaceId, inv.workspaceId), eq(members.userId, user.id)));
    if (!member) {
      const [now] = await db.select({ status: invitations.status }).from(invitations).where(eq(invitations.id, id));
      if (!now || now.status !== "accepted") throw notFound("invitation not found");
      throw conflict("this invitation was already used");
    }
  }
  const [w] = await db.select().from(workspaces).where(eq(workspaces.id, inv.workspaceId));
  if (!w) throw notFound("invitation not found");
  return { workspace: workspaceResponse(w), accepted: Boolean(flipped) };
}

/**
 * GDPR erasure. Workspaces where the user is the only member are deleted with everything in them; where others
 * remain and the user was the sole owner, the longest-standing admin (else member) becomes owner, so a team never
 * loses its workspace because one person left. Sessions, tokens and memberships go with the user row (cascade); their invitations and sign-in codes are deleted by address.
 */
export async function deleteAccount(db: Db, user: User, confirmEmail: string): Promise<void> {
  if (confirmEmail.trim().toLowerCase() !== user.email) throw badRequest("confirm_email does not match your email");
  await withEvents(db, async (tx) => {
    const owned = await tx
      .select({ workspaceId: members.workspaceId })
      .from(members)
      .where(and(eq(members.userId, user.id), eq(members.role, "owner")));
    for (const { workspaceId } of owned) {
      const others = await tx
        .select({ userId: members.userId, role: members.role })
        .from(members)
        .where(and(eq(members.workspaceId, workspaceId), ne(members.userId, user.id)))
        .orderBy(sql`case ${members.role} when 'owner' then 0 when 'admin' then 1 else 2 end`, asc(members.createdAt));
      if (others.length === 0) {
        await tx.delete(workspaces).where(eq(workspaces.id, workspaceId));
      } else if (others[0]!.role !== "owner") {
        await tx
          .update(members)
          .set({ role: "owner" })
          .where(and(eq(members.workspaceId, workspaceId), eq(members.userId, others[0]!.userId)));
      }
    }
    await tx.delete(invitations).where(eq(invitations.email, user.email));
    await tx.delete(verificationCodes).where(eq(verificationCodes.email, user.email));
    await tx.delete(users).where(eq(users.id, user.id));
    // Erasure reaches the outbox: the user's undelivered events go with the account (only account_deleted stays).
    await tx.delete(analyticsOutbox).where(eq(analyticsOutbox.userId, user.id));
    recordEvent(events.accountDeleted({ userId: user.id }), tx);
    // ...and reaches PostHog: the person and their events are deleted there too (issue 16).
    await requestPersonErasure(tx, user.id);
  });
}
