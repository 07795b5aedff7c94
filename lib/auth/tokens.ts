import { and, desc, eq, gt, isNull, lt, or } from "drizzle-orm";
import type { Db } from "@/lib/db";
import { accessTokens, users } from "@/lib/db/schema";
import { notFound } from "@/lib/http/errors";
import { randomToken, sha256 } from "./crypto";
import type { User } from "./users";

export const PERSONAL_TOKEN_PREFIX = "tdm_";

/**
 * `last_used_at` is shown to the user to spot stale or stolen tokens; minutes are precise enough. Writing it on every
 * request cost token requests ~20% of their throughput (issue 11, item 9), so it is refreshed only when older.
 */
export const LAST_USED_RESOLUTION_MS = 5 * 60_000;

function tokenResponse(t: typeof accessTokens.$inferSelect) {
  return {
    id: t.id,
    name: t.name,
    prefix: t.tokenPrefix,
    created_at: t.createdAt.toISOString(),
    expires_at: t.expiresAt?.toISOString() ?? null,
    last_used_at: t.lastUsedAt?.toISOString() ?? null,
  };
}

/** Creates a personal access token; the plain token is returned once and only its hash is stored. */
export async function createAccessToken(db: Db, userId: string, input: { name: string; expires_in_days?: number }) {
  const token = PERSONAL_TOKEN_PREFIX + randomToken(24);
  const expiresAt = input.expires_in_days ? new Date(Date.now() + input.expires_in_days * 86_400_000) : null;
  const [row] = await db
    .insert(accessTokens)
    .values({ userId, name: input.name, tokenHash: sha256(token), tokenPrefix: token.slice(0, 8), expiresAt })
    .returning();
  return { ...tokenResponse(row!), token };
}

export async function listAccessTokens(db: Db, userId: string) {
  const rows = await db
    .select()
    .from(accessTokens)
    .where(and(eq(accessTokens.userId, userId), eq(accessTokens.kind, "personal"), isNull(accessTokens.revokedAt)))
    .orderBy(desc(accessTokens.createdAt));
  return rows.map(tokenResponse);
}

export async function revokeAccessToken(db: Db, userId: string, id: string): Promise<void> {
  const rows = await db
    .update(accessTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(accessTokens.id, id), eq(accessTokens.userId, userId), eq(accessTokens.kind, "personal"), isNull(accessTokens.revokedAt)))
    .returning({ id: accessTokens.id });
  if (rows.length === 0) throw notFound("token not found");
}

/** The user behind a live personal token (lookup is by hash, so no comparison of secrets happens in JS). */
export async function resolveAccessToken(db: Db, token: string): Promise<{ user: User; tokenId: string } | null> {
  if (!token.startsWith(PERSONAL_TOKEN_PREFIX)) return null;
  const [row] = await db
    .select({ user: users, tokenId: accessTokens.id, lastUsedAt: accessTokens.lastUsedAt })
    .from(accessTokens)
    .innerJoin(users, eq(users.id, accessTokens.userId))
    .where(
      and(
        eq(accessTokens.tokenHash, sha256(token)),
        eq(accessTokens.kind, "personal"),
        isNull(accessTokens.revokedAt),
        or(isNull(accessTokens.expiresAt), gt(accessTokens.expiresAt, new Date())),
      ),
    );
  if (!row) return null;
  const now = new Date();
  const staleBefore = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  if (!row.lastUsedAt || row.lastUsedAt < staleBefore) {
    // The same condition in SQL, so a burst of concurrent requests still writes about once.
    await db
      .update(accessTokens)
      .set({ lastUsedAt: now })
      .where(and(eq(accessTokens.id, row.tokenId), or(isNull(accessTokens.lastUsedAt), lt(accessTokens.lastUsedAt, staleBefore))));
  }
  return { user: row.user, tokenId: row.tokenId };
}
