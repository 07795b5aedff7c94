import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgTable, text, uniqueIndex, uuid, type AnyPgColumn } from "drizzle-orm/pg-core";
import { ts } from "./columns";
import { workspaceRef } from "./workspaces";
import { users } from "./auth";

export const autopilots = pgTable("autopilots", {
  id: uuid("id").primaryKey().defaultRandom(),
  workspaceId: workspaceRef(),
  name: text("name").notNull(),
  assigneeType: text("assignee_type").notNull(), // agent | squad
  assigneeId: uuid("assignee_id").notNull(),
  executionMode: text("execution_mode").notNull(), // create_issue | run_only
  prompt: text("prompt").notNull(),
  enabled: boolean("enabled").notNull().default(true),
  createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
  createdAt: ts("created_at").notNull().defaultNow(),
});

export const autopilotTriggers = pgTable(
  "autopilot_triggers",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    autopilotId: uuid("autopilot_id")
      .notNull()
      .references(() => autopilots.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(), // manual | schedule | webhook
    cron: text("cron"),
    timezone: text("timezone"),
    cadence: text("cadence").notNull().default("manual"), // hourly | daily | weekly | monthly | manual | webhook | unknown
    webhookSecretHash: text("webhook_secret_hash"),
    /** Webhook triggers: `generic` or `github` (decides the dedupe header and event naming). */
    provider: text("provider").notNull().default("generic"),
    /** Optional HMAC secret for `X-Hub-Signature-256`; kept so it can verify, never returned (only a hint). */
    signingSecret: text("signing_secret"),
    /** `[{event, actions?}]`; NULL or [] allows every event; anything malformed denies every event. */
    eventFilters: jsonb("event_filters"),
    enabled: boolean("enabled").notNull().default(true),
    nextRunAt: ts("next_run_at"),
    lastFiredAt: ts("last_fired_at"),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [index("autopilot_triggers_due_idx").on(t.nextRunAt)],
);

export const autopilotRuns = pgTable(
  "autopilot_runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    autopilotId: uuid("autopilot_id")
      .notNull()
      .references(() => autopilots.id, { onDelete: "cascade" }),
    workspaceId: workspaceRef(),
    triggerId: uuid("trigger_id"),
    triggerKind: text("trigger_kind").notNull(),
    cadence: text("cadence").notNull(),
    status: text("status").notNull(), // started | completed | failed | skipped
    skipReason: text("skip_reason"),
    failureReason: text("failure_reason"),
    issueId: uuid("issue_id"),
    taskId: uuid("task_id"),
    /** For scheduled runs: the slot this run fills; unique so two nodes cannot fire one slot twice. */
    scheduledFor: ts("scheduled_for"),
    createdAt: ts("created_at").notNull().defaultNow(),
    completedAt: ts("completed_at"),
  },
  (t) => [
    index("autopilot_runs_autopilot_idx").on(t.autopilotId, t.createdAt),
    uniqueIndex("autopilot_runs_slot_idx").on(t.triggerId, t.scheduledFor),
  ],
);


/**
 * Every webhook delivery that passed the token, size and JSON checks (integrations inventory §2.6). The partial
 * unique index makes a redelivery (same trigger + dedupe key) a duplicate, except after `rejected`/`failed`.
 */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: workspaceRef(),
    autopilotId: uuid("autopilot_id")
      .notNull()
      .references(() => autopilots.id, { onDelete: "cascade" }),
    triggerId: uuid("trigger_id")
      .notNull()
      .references(() => autopilotTriggers.id, { onDelete: "cascade" }),
    provider: text("provider").notNull(), // generic | github
    event: text("event").notNull().default("webhook.received"),
    dedupeKey: text("dedupe_key"),
    dedupeSource: text("dedupe_source"), // x-github-delivery | idempotency-key
    signatureStatus: text("signature_status").notNull(), // not_required | valid | invalid | missing
    selectedHeaders: jsonb("selected_headers").notNull().default({}),
    contentType: text("content_type"),
    rawBody: text("raw_body"),
    status: text("status").notNull().default("queued"), // queued | dispatched | rejected | ignored | failed
    attemptCount: integer("attempt_count").notNull().default(1),
    responseStatus: integer("response_status"),
    responseBody: jsonb("response_body"),
    autopilotRunId: uuid("autopilot_run_id").references(() => autopilotRuns.id, { onDelete: "set null" }),
    replayedFromDeliveryId: uuid("replayed_from_delivery_id").references((): AnyPgColumn => webhookDeliveries.id, { onDelete: "set null" }),
    error: text("error"),
    receivedAt: ts("received_at").notNull().defaultNow(),
    lastAttemptAt: ts("last_attempt_at").notNull().defaultNow(),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [
    index("webhook_deliveries_autopilot_idx").on(t.autopilotId, t.createdAt),
    uniqueIndex("webhook_deliveries_dedupe_idx")
      .on(t.triggerId, t.dedupeKey)
      .where(sql`${t.dedupeKey} IS NOT NULL AND ${t.status} NOT IN ('rejected', 'failed')`),
    index("webhook_deliveries_run_idx").on(t.autopilotRunId).where(sql`${t.autopilotRunId} IS NOT NULL`),
  ],
);
