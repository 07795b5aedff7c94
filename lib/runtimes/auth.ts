import { and, desc, eq, gt, isNull, or } from "drizzle-orm";
import { randomToken, sha256 } from "@/lib/auth/crypto";
import { requireUser, type Principal } from "@/lib/auth";
import type { Db } from "@/lib/db";
import { accessTokens, members } from "@/lib/db/schema";
import { notFound, unauthorized } from "@/lib/http/errors";
import { recordDaemonMessageReceived } from "@/lib/telemetry";
import { isUuid } from "@/lib/http/text";

export const DAEMON_TOKEN_PREFIX = "tdd_";

/** Who drives the daemon API: a user (personal token) or a daemon token bound to one workspace. */
export type DaemonPrincipal =
  | { kind: "user"; userId: string; principal: Principal }
  | { kind: "daemon"; workspaceId: string; tokenId: string; createdBy: string | null };

/**
 * Authenticates a daemon request: `Authorization: Bearer tdd_...` (workspace daemon token) or a personal access
 * token. No cookie fallback: the daemon API is for machines. An authenticated request counts once in
 * `daemon_message_received_total{kind}` (kinds outside the allow-list count as `other`).
 */
export async function requireDaemon(req: Request, db: Db, kind: string): Promise<DaemonPrincipal> {
  const who = await authenticateDaemon(req, db);
  recordDaemonMessageReceived(kind);
  return who;
}

async function authenticateDaemon(req: Request, db: Db): Promise<DaemonPrincipal> {
  const auth = req.headers.get("authorization");
  if (!auth) throw unauthorized("missing authorization header");
  const m = /^Bearer\s+(\S+)$/i.exec(auth);
  if (!m) throw unauthorized("invalid authorization format");
  const token = m[1]!;
  if (token.startsWith(DAEMON_TOKEN_PREFIX)) {
    // The lookup is by hash (an indexed equality on a digest), so no secret is compared in JS.
    const [row] = await db
      .select({ id: accessTokens.id, workspaceId: accessTokens.workspaceId, userId: accessTokens.userId })
      .from(accessTokens)
      .where(
        and(
          eq(accessTokens.tokenHash, sha256(token)),
          eq(accessTokens.kind, "daemon"),
          isNull(accessTokens.revokedAt),
          or(isNull(accessTokens.expiresAt), gt(accessTokens.expiresAt, new Date())),
        ),
      );
    if (!row?.workspaceId) throw unauthorized("invalid daemon token");
    return { kind: "daemon", workspaceId: row.workspaceId, tokenId: row.id, createdBy: row.userId };
  }
  const principal = await requireUser(req, db);
  return { kind: "user", userId: principal.user.id, principal };
}

/** 404 unless the caller may act in the workspace (never reveals another workspace's objects). */
export async function assertDaemonWorkspace(db: Db, who: DaemonPrincipal, workspaceId: string): Promise<void> {
  if (who.kind === "daemon") {
    if (who.workspaceId !== workspaceId) throw notFound("workspace not found");
    return;
  }
  const [m] = await db
    .select({ role: members.role })
    .from(members)
    .where(and(eq(members.workspaceId, workspaceId), eq(members.userId, who.userId)));
  if (!m) throw notFound("workspace not found");
}

/** The user that owns what this caller registers: the PAT's user, or whoever created the daemon token. */
export const ownerOf = (who: DaemonPrincipal): string | null => (who.kind === "user" ? who.userId : who.createdBy);

function daemonTokenResponse(t: typeof accessTokens.$inferSelect) {
  return {
    id: t.id,
    name: t.name,
    prefix: t.tokenPrefix,
    workspace_id: t.workspaceId,
    created_by: t.userId,
    created_at: t.createdAt.toISOString(),
    expires_at: t.expiresAt?.toISOString() ?? null,
  };
}

/** The workspace's live daemon tokens (never the secret). */
export async function listDaemonTokens(db: Db, workspaceId: string) {
  const rows = await db
    .select()
    .from(accessTokens)
    .where(and(eq(accessTokens.workspaceId, workspaceId), eq(accessTokens.kind, "daemon"), isNull(accessTokens.revokedAt)))
    .orderBy(desc(accessTokens.createdAt));
  return rows.map(daemonTokenResponse);
}

/** Revokes a daemon token of this workspace; its daemon's next request gets 401. */
export async function revokeDaemonToken(db: Db, workspaceId: string, id: string): Promise<void> {
  const rows = await db
    .update(accessTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(accessTokens.id, id), eq(accessTokens.workspaceId, workspaceId), eq(accessTokens.kind, "daemon"), isNull(accessTokens.revokedAt)))
    .returning({ id: accessTokens.id });
  if (rows.length === 0) throw notFound("token not found");
}

/** Creates a workspace daemon token (`tdd_...`); the plain token is returned once, only its hash is stored. */
export async function createDaemonToken(
  db: Db,
  input: { workspaceId: string; userId: string; name: string; expiresInDays?: number },
) {
  const token = DAEMON_TOKEN_PREFIX + randomToken(24);
  const expiresAt = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null;
  const [row] = await db
    .insert(accessTokens)
    .values({
      kind: "daemon",
      workspaceId: input.workspaceId,
      userId: input.userId,
      name: input.name,
      tokenHash: sha256(token),
      tokenPrefix: token.slice(0, 8),
      expiresAt,
    })
    .returning();
  return { ...daemonTokenResponse(row!), token };
}


/**
 * A path id that is not a UUID names nothing: 404 (and never reaches the database as a malformed uuid). Returned in
 * its canonical lower case, as PostgreSQL prints it: ids also key the shared store (pending runtime requests), where
 * "893F…" and "893f…" would otherwise be two runtimes.
 */
export function idParam(value: string | undefined, what: string): string {
  if (!value || !isUuid(value)) throw notFound(`${what} not found`);
  return value.toLowerCase();
}
