import { sql } from "drizzle-orm";
import { bigint, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { agents } from "./agents";
import { ts } from "./columns";
import { workspaceRef } from "./workspaces";
import { users } from "./auth";

export const runtimes = pgTable(
  "runtimes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: workspaceRef(),
    daemonId: text("daemon_id").notNull(),
    provider: text("provider").notNull(),
    name: text("name").notNull(),
    version: text("version").notNull().default(""),
    cliVersion: text("cli_version").notNull().default(""),
    deviceName: text("device_name").notNull().default(""),
    runtimeMode: text("runtime_mode").notNull().default("local"),
    status: text("status").notNull().default("online"), // online | offline
    ownerId: uuid("owner_id").references(() => users.id, { onDelete: "set null" }),
    /** The daemon token that registered it (null: registered with a personal token, owned by owner_id). */
    registeredTokenId: uuid("registered_token_id"),
    lastSeenAt: ts("last_seen_at").notNull().defaultNow(),
    firstOnlineAt: ts("first_online_at"),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("runtimes_workspace_daemon_provider_idx").on(t.workspaceId, t.daemonId, t.provider),
    // Business sampler: runtimes seen in the last minute / 15 minutes.
    index("runtimes_last_seen_idx").on(t.lastSeenAt),
  ],
);

export const agentTasks = pgTable(
  "agent_tasks",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: workspaceRef(),
    agentId: uuid("agent_id")
      .notNull()
      .references(() => agents.id, { onDelete: "cascade" }),
    runtimeId: uuid("runtime_id"),
    issueId: uuid("issue_id"),
    chatSessionId: uuid("chat_session_id"),
    autopilotRunId: uuid("autopilot_run_id"),
    source: text("source").notNull().default("manual"),
    prompt: text("prompt").notNull().default(""),
    status: text("status").notNull().default("queued"), // queued | dispatched | running | completed | failed | cancelled
    attempt: integer("attempt").notNull().default(1),
    maxAttempts: integer("max_attempts").notNull().default(2),
    failureReason: text("failure_reason"),
    error: text("error"),
    result: jsonb("result"),
    createdAt: ts("created_at").notNull().defaultNow(),
    dispatchedAt: ts("dispatched_at"),
    startedAt: ts("started_at"),
    completedAt: ts("completed_at"),
  },
  (t) => [
    index("agent_tasks_runtime_status_idx").on(t.runtimeId, t.status, t.createdAt),
    index("agent_tasks_issue_idx").on(t.issueId),
    // Business sampler: open tasks are a small slice of the table; this covers queued/running/stuck index-only.
    index("agent_tasks_open_status_idx")
      .on(t.status, t.source, t.runtimeId, t.startedAt)
      .where(sql`status in ('queued', 'dispatched', 'running')`),
    // Business sampler: tasks created in the last 24 hours (active users / workspaces).
    index("agent_tasks_created_at_idx").on(t.createdAt),
  ],
);

export const taskMessages = pgTable(
  "task_messages",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    taskId: uuid("task_id")
      .notNull()
      .references(() => agentTasks.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(), // progress | message | log
    content: text("content").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [index("task_messages_task_idx").on(t.taskId, t.createdAt)],
);

/** LLM usage, one row per (task, model): a repeated report overwrites instead of adding up. */
export const taskUsage = pgTable(
  "task_usage",
  {
    taskId: uuid("task_id")
      .notNull()
      .references(() => agentTasks.id, { onDelete: "cascade" }),
    model: text("model").notNull(),
    provider: text("provider").notNull(),
    // Cumulative per (task, model): a long agent run legitimately passes 2^31 tokens, so 64-bit (read as JS numbers;
    // the API caps a report at 1e12, well inside 2^53).
    inputTokens: bigint("input_tokens", { mode: "number" }).notNull().default(0),
    outputTokens: bigint("output_tokens", { mode: "number" }).notNull().default(0),
    cacheReadTokens: bigint("cache_read_tokens", { mode: "number" }).notNull().default(0),
    cacheWriteTokens: bigint("cache_write_tokens", { mode: "number" }).notNull().default(0),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.taskId, t.model] })],
);

