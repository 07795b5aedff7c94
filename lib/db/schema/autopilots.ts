import { boolean, index, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
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

