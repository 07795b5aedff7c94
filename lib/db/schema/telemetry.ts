import { bigserial, index, integer, jsonb, pgTable, smallint, text, uuid } from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";
import { ts } from "./columns";

/**
 * The transactional analytics outbox (issue 12): one row per server event that goes to PostHog, written in the
 * transaction of the domain change that causes it, deleted by the relay once PostHog accepted it.
 * `next_attempt_at` is the retry schedule; `lease_until` is set by a claim past the send timeout, so no two relays
 * send a row at once and a node that dies mid-send only delays its rows. `dead_at` marks a row PostHog will never
 * accept. Its pages are half empty (fillfactor 50, drizzle/0011): the claim then updates a row in place (HOT).
 */
export const analyticsOutbox = pgTable(
  "analytics_outbox",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    /** PostHog's `uuid`: a resent event is deduplicated, not counted twice. Drawn by the insert (issue 15). */
    uuid: uuid("uuid").notNull().defaultRandom(),
    /** The user the event is about (erasure deletes their pending rows); null for agent/system/workspace ids. */
    userId: uuid("user_id"),
    event: text("event").notNull(),
    distinctId: text("distinct_id").notNull(),
    /** The enveloped properties, ready to send. */
    properties: jsonb("properties").notNull(),
    /** Written just before commit (clock time, not transaction start): the event's timestamp at PostHog. */
    createdAt: ts("created_at").notNull().default(sql`clock_timestamp()`),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: ts("next_attempt_at").notNull().defaultNow(),
    leaseUntil: ts("lease_until"),
    deadAt: ts("dead_at"),
    lastStatus: smallint("last_status"),
  },
  (t) => [
    index("analytics_outbox_due_idx").on(t.nextAttemptAt, t.id).where(sql`${t.deadAt} is null`),
    index("analytics_outbox_user_idx").on(t.userId),
  ],
);

/**
 * Erasure requests for PostHog (issue 16): written in the account-deletion transaction, sent to PostHog's persons
 * API by the relay (retried with backoff), and kept with `completed_at` as the record that erasure was propagated.
 * Holds only the pseudonymous distinct id (the user's id), never an email.
 */
export const analyticsErasures = pgTable("analytics_erasures", {
  distinctId: text("distinct_id").primaryKey(),
  requestedAt: ts("requested_at").notNull().defaultNow(),
  attempts: integer("attempts").notNull().default(0),
  nextAttemptAt: ts("next_attempt_at").notNull().defaultNow(),
  lastStatus: smallint("last_status"),
  completedAt: ts("completed_at"),
});
