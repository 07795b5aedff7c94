import { and, eq, gt, isNull } from "drizzle-orm";
import { config } from "@/lib/config";
import type { Db } from "@/lib/db";
import { sessions, users } from "@/lib/db/schema";
import { randomToken, sha256 } from "./crypto";
import type { User } from "./users";

export const SESSION_COOKIE = "tandem_session";
const SESSION_DAYS = 30;

export async function createSession(db: Db, userId: string): Promise<{ token: string; expiresAt: Date }> {
  const token = randomToken();
  const expiresAt = new Date(Date.now() + SESSION_DAYS * 86_400_000);
  await db.insert(sessions).values({ tokenHash: sha256(token), userId, expiresAt });
  return { token, expiresAt };
}

/** The live session for a cookie value: not revoked, not expired. */
export async function resolveSession(db: Db, token: string): Promise<{ user: User; sessionId: string } | null> {
  const [row] = await db
    .select({ user: users, sessionId: sessions.id })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, sha256(token)), isNull(sessions.revokedAt), gt(sessions.expiresAt, new Date())));
  return row ?? null;
}

export async function revokeSession(db: Db, sessionId: string): Promise<void> {
  await db.update(sessions).set({ revokedAt: new Date() }).where(eq(sessions.id, sessionId));
}

function secureCookies(): boolean {
  const c = config();
  return c.SECURE_COOKIES || (c.APP_URL?.startsWith("https://") ?? false);
}

export function sessionCookie(token: string, expiresAt: Date): string {
  const maxAge = Math.floor((expiresAt.getTime() - Date.now()) / 1000);
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secureCookies() ? "; Secure" : ""}`;
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secureCookies() ? "; Secure" : ""}`;
}
