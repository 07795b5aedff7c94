import { sql } from "drizzle-orm";
import { index, integer, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { ts } from "./columns";
import { workspaceRef } from "./workspaces";

export const issues = pgTable(
  "issues",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: workspaceRef(),
    number: integer("number").notNull(),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    status: text("status").notNull().default("backlog"),
    priority: text("priority").notNull().default("none"),
    assigneeType: text("assignee_type"), // member | agent
    assigneeId: uuid("assignee_id"),
    creatorType: text("creator_type").notNull(), // member | agent
    creatorId: uuid("creator_id").notNull(),
    originType: text("origin_type").notNull().default("manual"), // manual | autopilot | quick_create | onboarding
    originId: uuid("origin_id"),
    firstExecutedAt: ts("first_executed_at"),
    createdAt: ts("created_at").notNull().defaultNow(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("issues_workspace_number_idx").on(t.workspaceId, t.number),
    index("issues_workspace_status_idx").on(t.workspaceId, t.status),
    // Business sampler (active users): index-only lookup of a member-created issue's creator.
    index("issues_member_creator_idx").on(t.id, t.creatorId).where(sql`creator_type = 'member'`),
  ],
);

export const issueComments = pgTable(
  "issue_comments",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    issueId: uuid("issue_id")
      .notNull()
      .references(() => issues.id, { onDelete: "cascade" }),
    workspaceId: workspaceRef(),
    authorType: text("author_type").notNull(),
    authorId: uuid("author_id").notNull(),
    body: text("body").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [index("issue_comments_issue_idx").on(t.issueId, t.createdAt)],
);

