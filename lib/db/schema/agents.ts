import { index, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { ts } from "./columns";
import { workspaceRef } from "./workspaces";
import { users } from "./auth";

export const agents = pgTable(
  "agents",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: workspaceRef(),
    name: text("name").notNull(),
    instructions: text("instructions").notNull().default(""),
    runtimeId: uuid("runtime_id"),
    template: text("template"),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    archivedAt: ts("archived_at"),
    createdAt: ts("created_at").notNull().defaultNow(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [index("agents_workspace_idx").on(t.workspaceId)],
);

export const squads = pgTable("squads", {
  id: uuid("id").primaryKey().defaultRandom(),
  workspaceId: workspaceRef(),
  name: text("name").notNull(),
  leaderId: uuid("leader_id")
    .notNull()
    .references(() => agents.id, { onDelete: "cascade" }),
  createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
  createdAt: ts("created_at").notNull().defaultNow(),
});

export const squadMembers = pgTable(
  "squad_members",
  {
    squadId: uuid("squad_id")
      .notNull()
      .references(() => squads.id, { onDelete: "cascade" }),
    agentId: uuid("agent_id")
      .notNull()
      .references(() => agents.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.squadId, t.agentId] })],
);

