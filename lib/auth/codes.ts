import { randomUUID } from "node:crypto";
import { and, desc, eq, isNotNull, isNull, lt, or, sql } from "drizzle-orm";
import { config } from "@/lib/config";
import type { Db } from "@/lib/db";
import { verificationCodes } from "@/lib/db/schema";
import { HttpError, tooManyRequests, unauthorized } from "@/lib/http/errors";
import { readCookie } from "@/lib/http/request";
import { stringProblem } from "@/lib/http/text";
import { readConsentChoice } from "@/lib/analytics-client/consent";
import { personalKey, rateLimit, type SharedStore } from "@/lib/store";
import { events, recordEvent } from "@/lib/telemetry";
import { safeEqual, sha256, sixDigitCode } from "./crypto";
import { sendMail } from "./mail";
import { findOrCreateUser, SignupClosedError, type SignupContext, type User } from "./users";

const CODE_TTL_MS = 10 * 60_000;
export const MAX_CODE_ATTEMPTS = 5;
const HOUR = 3_600_000;

const hashCode = (codeId: string, code: string) => sha256(`${codeId}:${code}`);

/** Issues a fresh 6-digit code (older ones die) and mails it. Rate-limited per email and per client IP. */
export async function sendLoginCode(db: Db, store: SharedStore, email: string, ip: string): Promise<void> {
  const c = config();
  const perIp = await rateLimit(store, `send-code:ip:${ip}`, c.RATE_LIMIT_SEND_CODE_IP, HOUR);
  if (!perIp.allowed) throw tooManyRequests(perIp.retryAfterSeconds);
  const perEmail = await rateLimit(store, `send-code:email:${personalKey(email)}`, c.RATE_LIMIT_SEND_CODE_EMAIL, HOUR);
  if (!perEmail.allowed) throw tooManyRequests(perEmail.retryAfterSeconds);

  const id = randomUUID();
  const code = sixDigitCode();
  await db.transaction(async (tx) => {
    await tx
      .update(verificationCodes)
      .set({ consumedAt: new Date() })
      .where(and(eq(verificationCodes.email, email), isNull(verificationCodes.consumedAt)));
    await tx
      .insert(verificationCodes)
      .values({ id, email, codeHash: hashCode(id, code), expiresAt: new Date(Date.now() + CODE_TTL_MS) });
  });
  await sendMail({
    to: email,
    subject: `Your Tandem code: ${code}`,
    text: `Your Tandem verification code is ${code}\nIt expires in 10 minutes.`,
  });
}

/**
 * Deletes codes that can no longer sign anyone in (used, replaced or expired), so an address that asked for a code
 * is not kept once it is of no use (a sweep, lib/tasks/sweepers.ts; account erasure deletes its own at once).
 */
export async function purgeSpentCodes(db: Db): Promise<number> {
  const gone = await db
    .delete(verificationCodes)
    .where(or(isNotNull(verificationCodes.consumedAt), lt(verificationCodes.expiresAt, new Date())))
    .returning({ id: verificationCodes.id });
  return gone.length;
}

export type LoginOutcome = "success" | "failure_credentials" | "failure_locked" | "failure_signup_closed" | "failure_other";

/**
 * Checks a code and signs the user in (creating the account on first login). Every attempt records the
 * `login` outcome; a new account records `signup` with the raw signup-source cookie.
 */
export async function verifyLoginCode(
  db: Db,
  input: { email: string; code: string } & SignupContext,
): Promise<{ user: User; isNew: boolean }> {
  let outcome: LoginOutcome = "failure_other";
  try {
    const result = await checkCodeAndLogin(db, input);
    outcome = "success";
    return result;
  } catch (err) {
    if (err instanceof HttpError && err.status === 401) outcome = "failure_credentials";
    else if (err instanceof HttpError && err.status === 429) outcome = "failure_locked";
    else if (err instanceof HttpError && err.status === 403) outcome = "failure_signup_closed";
    throw err;
  } finally {
    await recordEvent(events.login({ outcome }));
  }
}

async function checkCodeAndLogin(db: Db, input: { email: string; code: string } & SignupContext) {
  const [row] = await db
    .select()
    .from(verificationCodes)
    .where(and(eq(verificationCodes.email, input.email), isNull(verificationCodes.consumedAt)))
    .orderBy(desc(verificationCodes.createdAt))
    .limit(1);
  if (!row || row.expiresAt.getTime() <= Date.now()) throw unauthorized("invalid or expired code");

  // Count the attempt atomically before comparing, so parallel guesses cannot exceed the limit.
  const [counted] = await db
    .update(verificationCodes)
    .set({ attempts: sql`${verificationCodes.attempts} + 1` })
    .where(and(eq(verificationCodes.id, row.id), lt(verificationCodes.attempts, MAX_CODE_ATTEMPTS)))
    .returning({ attempts: verificationCodes.attempts });
  if (!counted) throw tooManyRequests(60, "too many attempts for this code; request a new one");
  if (!safeEqual(row.codeHash, hashCode(row.id, input.code))) throw unauthorized("invalid or expired code");

  const [consumed] = await db
    .update(verificationCodes)
    .set({ consumedAt: new Date() })
    .where(and(eq(verificationCodes.id, row.id), isNull(verificationCodes.consumedAt)))
    .returning({ id: verificationCodes.id });
  if (!consumed) throw unauthorized("invalid or expired code");

  try {
    return await findOrCreateUser(db, input.email, "", { signupSource: input.signupSource, analyticsConsent: input.analyticsConsent, authMethod: "email_code" });
  } catch (err) {
    if (err instanceof SignupClosedError) throw new HttpError(403, err.message);
    throw err;
  }
}

/** The sign-up context a login request's cookies carry (see `SignupContext`). */
export function readSignupContext(req: Request): SignupContext {
  return {
    signupSource: readSignupSourceCookie(readCookie(req, "tandem_signup_source")),
    analyticsConsent: readConsentChoice(req.headers.get("cookie") ?? ""),
  };
}

/**
 * The raw signup source from the `tandem_signup_source` cookie: URL-decoded, or "" when missing,
 * undecodable or over 512 bytes. The metric label is normalised later; the event keeps the raw string.
 */
export function readSignupSourceCookie(raw: string | undefined): string {
  if (!raw) return "";
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw.replace(/\+/g, " "));
  } catch {
    return "";
  }
  // "%00" decodes to NUL, which PostgreSQL refuses in text: such a cookie is as unusable as an undecodable one.
  return Buffer.byteLength(decoded, "utf8") > 512 || stringProblem(decoded) ? "" : decoded;
}
