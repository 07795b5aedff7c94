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

/** Every cookie the server sets: httpOnly, SameSite=Lax, Secure as configured (`secureCookies`, lib/config.ts). */
export function httpOnlyCookie(name: string, value: string, opts: { path?: string; maxAgeSeconds: number }): string {
  return `${name}=${value}; Path=${opts.path ?? "/"}; HttpOnly; SameSite=Lax; Max-Age=${opts.maxAgeSeconds}${config().secureCookies ? "; Secure" : ""}`;
}

export function sessionCookie(token: string, expiresAt: Date): string {
  return httpOnlyCookie(SESSION_COOKIE, token, { maxAgeSeconds: Math.floor((expiresAt.getTime() - Date.now()) / 1000) });
}

export function clearedSessionCookie(): string {
  return httpOnlyCookie(SESSION_COOKIE, "", { maxAgeSeconds: 0 });
}
