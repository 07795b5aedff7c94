import { eq } from "drizzle-orm";
import { z } from "zod";
import { config } from "@/lib/config";
import type { Db } from "@/lib/db";
import { users } from "@/lib/db/schema";
import { badRequest } from "@/lib/http/errors";
import { events, recordEvent, withEvents } from "@/lib/telemetry";
import { normalizeSignupSource } from "@/lib/telemetry/labels";

export type User = typeof users.$inferSelect;

const emailSchema = z.email().max(254);

/** Trimmed, lower-cased and syntactically valid, or a 400 naming the field. */
export function normalizeEmail(raw: unknown, field = "email"): string {
  if (typeof raw !== "string" || raw.trim() === "") throw badRequest(`${field} is required`);
  const email = raw.trim().toLowerCase();
  if (!emailSchema.safeParse(email).success) throw badRequest(`${field} is invalid`);
  return email;
}

/** Signup gating: ALLOW_SIGNUP=false closes it; ALLOWED_EMAILS / ALLOWED_EMAIL_DOMAINS, when set, restrict it. */
export function signupAllowed(email: string): boolean {
  const c = config();
  if (!c.ALLOW_SIGNUP) return false;
  if (c.ALLOWED_EMAILS.length === 0 && c.ALLOWED_EMAIL_DOMAINS.length === 0) return true;
  const domain = email.slice(email.lastIndexOf("@") + 1);
  return c.ALLOWED_EMAILS.includes(email) || c.ALLOWED_EMAIL_DOMAINS.includes(domain);
}

export class SignupClosedError extends Error {
  constructor() {
    super("signup is closed for this email address");
  }
}

/**
 * What the browser says about a sign-up: the raw signup-source cookie, and the analytics choice its visitor made
 * before having an account (the consent cookie), which a new account starts with, so that its `signup` event is
 * sent as they chose rather than as no choice (ANALYTICS_CONSENT=required).
 */
export type SignupContext = { signupSource: string; analyticsConsent: AnalyticsConsentChoice | null };

/**
 * The one find-or-create path (code login and Google). `isNew` is true for exactly one caller even under
 * concurrent first logins: the insert is `ON CONFLICT DO NOTHING RETURNING`. With `signup`, a new account's
 * `signup` event commits with it.
 */
export async function findOrCreateUser(
  db: Db,
  email: string,
  name = "",
  signup?: SignupContext & { authMethod: "email_code" | "google" },
): Promise<{ user: User; isNew: boolean }> {
  const [existing] = await db.select().from(users).where(eq(users.email, email));
  if (existing) return { user: existing, isNew: false };
  if (!signupAllowed(email)) throw new SignupClosedError();
  const created = await withEvents(db, async (tx) => {
    const [c] = await tx
      .insert(users)
      .values({
        email,
        name: name || email.slice(0, email.indexOf("@")),
        signupSource: normalizeSignupSource(signup?.signupSource ?? ""),
        analyticsConsent: signup?.analyticsConsent ?? null,
        analyticsConsentAt: signup?.analyticsConsent ? new Date() : null,
      })
      .onConflictDoNothing({ target: users.email })
      .returning();
    if (c && signup) recordEvent(events.signup({ userId: c.id, email: c.email, signupSource: signup.signupSource, authMethod: signup.authMethod }), tx);
    return c;
  });
  if (created) return { user: created, isNew: true };
  const [raced] = await db.select().from(users).where(eq(users.email, email));
  return { user: raced!, isNew: false };
}

export async function getUser(db: Db, id: string): Promise<User | undefined> {
  const [u] = await db.select().from(users).where(eq(users.id, id));
  return u;
}

/** The public shape of a user (API.md `GET /api/me`). */
export function userResponse(u: User) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    onboarded_at: u.onboardedAt?.toISOString() ?? null,
    onboarding_questionnaire: u.onboardingQuestionnaire ?? {},
    cloud_waitlist_email: u.cloudWaitlistEmail ?? null,
    analytics_consent: u.analyticsConsent === "granted" || u.analyticsConsent === "denied" ? u.analyticsConsent : null,
    created_at: u.createdAt.toISOString(),
    updated_at: u.updatedAt.toISOString(),
  };
}

export type AnalyticsConsentChoice = "granted" | "denied";

/** Stores the person's analytics choice (ANALYTICS_CONSENT); the analytics relay reads it before identifying. */
export async function setAnalyticsConsent(db: Db, userId: string, choice: AnalyticsConsentChoice): Promise<User> {
  const [u] = await db
    .update(users)
    .set({ analyticsConsent: choice, analyticsConsentAt: new Date(), updatedAt: new Date() })
    .where(eq(users.id, userId))
    .returning();
  return u!;
}
