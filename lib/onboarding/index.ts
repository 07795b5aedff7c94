import { and, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { User } from "@/lib/auth/users";
import type { Db, Tx } from "@/lib/db";
import { members, users } from "@/lib/db/schema";
import { notFound } from "@/lib/http/errors";
import { events, recordEvent, withEvents } from "@/lib/telemetry";
import { normalizeOnboardingPath } from "@/lib/telemetry/labels";
import { isQuestionnaireComplete, isQuestionnaireEmpty, questionnaireSchema } from "./questionnaire";
import { requiredString } from "@/lib/http/body";

export * from "./questionnaire";

/** Request bodies, shared by the route handlers and the tests. */
/** `questionnaire` replaces the stored answers; omitted or null leaves them unchanged (the reference's COALESCE). */
export const patchOnboardingBody = z.object({ questionnaire: questionnaireSchema.nullish() });

export const completeOnboardingBody = z.object({
  completion_path: z.string({ error: "completion_path must be a string" }).max(64, "completion_path is too long").optional(),
  workspace_id: z.uuid({ error: "workspace_id must be a UUID" }).optional(),
});

export const cloudWaitlistBody = z.object({
  email: requiredString("email")
    .trim()
    .toLowerCase()
    .min(1, "email is required")
    .max(254, "email is too long")
    .pipe(z.email({ error: "email is invalid" })),
  reason: z.string({ error: "reason must be a string" }).trim().max(500, "reason is too long").optional(),
});

/** Bodies larger than this are refused with 413 (reference §10). */
export const ONBOARDING_BODY_LIMIT = 16 * 1024;

/**
 * Replaces the stored questionnaire. The first non-empty one flips `onboarding_started_at` and the first complete one
 * flips `questionnaire_completed_at`, each with `UPDATE ... WHERE col IS NULL RETURNING`, so concurrent identical
 * PATCHes emit each event exactly once.
 */
export async function patchOnboarding(
  db: Db,
  userId: string,
  input: z.infer<typeof patchOnboardingBody>,
  platform: string,
): Promise<User> {
  const q = input.questionnaire ?? undefined;
  const result = await withEvents(db, async (tx) => {
    if (q === undefined) {
      const [u] = await tx.select().from(users).where(eq(users.id, userId));
      return { user: u!, started: false, completed: false };
    }
    const [updated] = await tx
      .update(users)
      .set({ onboardingQuestionnaire: q, updatedAt: sql`now()` })
      .where(eq(users.id, userId))
      .returning();
    let user = updated!;
    let started = false;
    let completed = false;
    if (!isQuestionnaireEmpty(q)) {
      const [row] = await tx
        .update(users)
        .set({ onboardingStartedAt: sql`now()` })
        .where(and(eq(users.id, userId), isNull(users.onboardingStartedAt)))
        .returning();
      if (row) [user, started] = [row, true];
    }
    if (isQuestionnaireComplete(q)) {
      const [row] = await tx
        .update(users)
        .set({ questionnaireCompletedAt: sql`now()` })
        .where(and(eq(users.id, userId), isNull(users.questionnaireCompletedAt)))
        .returning();
      if (row) [user, completed] = [row, true];
    }
    if (started) recordEvent(events.onboardingStarted({ userId, platform }), tx);
    if (completed) {
      recordEvent(
        events.onboardingQuestionnaireSubmitted({
          userId,
          sources: q.source ?? [],
          role: q.role ?? "",
          useCases: q.use_case ?? [],
          sourceSkipped: q.source_skipped === true,
          roleSkipped: q.role_skipped === true,
          useCaseSkipped: q.use_case_skipped === true,
          sourceHasOther: Boolean(q.source_other),
          roleHasOther: Boolean(q.role_other),
          useCaseHasOther: Boolean(q.use_case_other),
        }),
        tx,
      );
    }
    return { user, started, completed };
  });
  return result.user;
}

/**
 * Marks the user onboarded if they are not already: the atomic first flip of `onboarded_at` records
 * `onboarding_completed` (path normalised). Returns the updated user when this call did the flip, else null.
 * The flip and its event commit together (inside the caller's `withEvents` transaction when given one).
 */
export async function markOnboarded(db: Db | Tx, userId: string, path: string | undefined, workspaceId?: string): Promise<User | null> {
  return withEvents(db, async (tx) => {
    const [row] = await tx
      .update(users)
      .set({ onboardedAt: sql`now()`, updatedAt: sql`now()` })
      .where(and(eq(users.id, userId), isNull(users.onboardedAt)))
      .returning();
    if (!row) return null;
    recordEvent(
      events.onboardingCompleted({
        userId,
        workspaceId,
        completionPath: normalizeOnboardingPath(path),
        joinedCloudWaitlist: row.cloudWaitlistEmail !== null,
        onboardedAt: row.onboardedAt!,
      }),
      tx,
    );
    return row;
  });
}

/** `POST /api/me/onboarding/complete`: idempotent; a second call returns the same `onboarded_at` and emits nothing. */
export async function completeOnboarding(db: Db, user: User, input: z.infer<typeof completeOnboardingBody>): Promise<User> {
  if (input.workspace_id) {
    // The event carries the workspace id: only one the user belongs to (another workspace is a 404, as everywhere).
    const [m] = await db
      .select({ id: members.workspaceId })
      .from(members)
      .where(and(eq(members.workspaceId, input.workspace_id), eq(members.userId, user.id)));
    if (!m) throw notFound("workspace not found");
  }
  const flipped = await markOnboarded(db, user.id, input.completion_path, input.workspace_id);
  if (flipped) return flipped;
  const [current] = await db.select().from(users).where(eq(users.id, user.id));
  return current!;
}

/** `POST /api/me/onboarding/cloud-waitlist`: overwrites the waitlist fields; does not complete onboarding. */
export async function joinCloudWaitlist(db: Db, userId: string, input: z.infer<typeof cloudWaitlistBody>): Promise<User> {
  const reason = input.reason ? input.reason : null;
  return withEvents(db, async (tx) => {
    const [row] = await tx
      .update(users)
      .set({ cloudWaitlistEmail: input.email, cloudWaitlistReason: reason, updatedAt: sql`now()` })
      .where(eq(users.id, userId))
      .returning();
    recordEvent(events.cloudWaitlistJoined({ userId, hasReason: reason !== null }), tx);
    return row!;
  });
}
