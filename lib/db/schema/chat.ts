import { index, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { agents } from "./agents";
import { ts } from "./columns";
import { workspaceRef } from "./workspaces";
import { users } from "./auth";

export const chatSessions = pgTable("chat_sessions", {
  id: uuid("id").primaryKey().defaultRandom(),
  workspaceId: workspaceRef(),
  agentId: uuid("agent_id")
    .notNull()
    .references(() => agents.id, { onDelete: "cascade" }),
  creatorId: uuid("creator_id")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" }),
  title: text("title").notNull().default(""),
  createdAt: ts("created_at").notNull().defaultNow(),
});

export const chatMessages = pgTable(
  "chat_messages",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    sessionId: uuid("session_id")
      .notNull()
      .references(() => chatSessions.id, { onDelete: "cascade" }),
    workspaceId: workspaceRef(),
    role: text("role").notNull(), // user | agent
    content: text("content").notNull(),
    taskId: uuid("task_id"),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [
    index("chat_messages_session_idx").on(t.sessionId, t.createdAt),
    // Business sampler: messages of the last 24 hours (active users / workspaces).
    index("chat_messages_created_at_idx").on(t.createdAt),
  ],
);

