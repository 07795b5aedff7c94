import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { config } from "@/lib/config";
import type { Db } from "@/lib/db";
import { feedback, members } from "@/lib/db/schema";
import { notFound, tooManyRequests } from "@/lib/http/errors";
import { clientPlatform, clientVersion } from "@/lib/http/request";
import { rateLimit, type SharedStore } from "@/lib/store";
import { events, recordEvent, withEvents } from "@/lib/telemetry";
import { requiredString } from "@/lib/http/body";

export const FEEDBACK_KINDS = ["bug", "feature", "general", "praise"] as const;
export type FeedbackKind = (typeof FEEDBACK_KINDS)[number];

export const FEEDBACK_BODY_LIMIT = 64 * 1024;
export const FEEDBACK_MESSAGE_MAX_BYTES = 10_000;
const HOUR_MS = 3_600_000;

export const feedbackBody = z.object({
  message: requiredString("message")
    .trim()
    .min(1, "message is required")
    .refine((m) => Buffer.byteLength(m, "utf8") <= FEEDBACK_MESSAGE_MAX_BYTES, "message too long"),
  kind: z.enum(FEEDBACK_KINDS, { error: `kind must be one of ${FEEDBACK_KINDS.join(", ")}` }).default("general"),
  url: z.string({ error: "url must be a string" }).max(2048, "url is too long").optional(),
  workspace_id: z.uuid({ error: "workspace_id must be a UUID" }).optional(),
});

export type FeedbackInput = z.infer<typeof feedbackBody>;

/** What the client told us about itself, from the request headers (stored with the feedback, never sent to analytics). */
export function feedbackMetadata(req: Request, url: string | undefined) {
  return {
    url: url ?? null,
    platform: clientPlatform(req) || null,
    version: clientVersion(req) || null,
    os: (req.headers.get("x-client-os") ?? "").slice(0, 64) || null,
    user_agent: (req.headers.get("user-agent") ?? "").slice(0, 512) || null,
  };
}

/**
 * Stores one feedback message. The per-user limit (default 10/hour) is an atomic counter in the shared store rather
 * than a `count(*)` over the table: counting rows is read-then-insert, so concurrent requests could all pass it.
 * It is checked after validation, so a malformed message does not use up the allowance.
 */
export async function submitFeedback(
  db: Db,
  store: SharedStore,
  userId: string,
  input: FeedbackInput,
  metadata: ReturnType<typeof feedbackMetadata>,
) {
  if (input.workspace_id) {
    const [m] = await db
      .select({ id: members.workspaceId })
      .from(members)
      .where(and(eq(members.workspaceId, input.workspace_id), eq(members.userId, userId)));
    if (!m) throw notFound("workspace not found");
  }
  const limit = await rateLimit(store, `feedback:user:${userId}`, config().RATE_LIMIT_FEEDBACK, HOUR_MS);
  if (!limit.allowed) throw tooManyRequests(limit.retryAfterSeconds, "too much feedback in the last hour, try again later");

  const row = await withEvents(db, async (tx) => {
    const [r] = await tx
      .insert(feedback)
      .values({ userId, workspaceId: input.workspace_id ?? null, message: input.message, kind: input.kind, metadata })
      .returning({ id: feedback.id, createdAt: feedback.createdAt });
    recordEvent(
      events.feedbackSubmitted({
        userId,
        workspaceId: input.workspace_id,
        kind: input.kind,
        message: input.message,
        platform: metadata.platform ?? "",
        appVersion: metadata.version ?? "",
      }),
      tx,
    );
    return r;
  });
  return { id: row!.id, created_at: row!.createdAt.toISOString() };
}
