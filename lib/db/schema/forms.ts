import { boolean, index, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { ts } from "./columns";
import { users } from "./auth";
import { workspaces } from "./workspaces";

export const feedback = pgTable(
  "feedback",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    workspaceId: uuid("workspace_id").references(() => workspaces.id, { onDelete: "set null" }),
    message: text("message").notNull(),
    kind: text("kind").notNull().default("general"),
    metadata: jsonb("metadata").notNull().default({}),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [index("feedback_user_created_idx").on(t.userId, t.createdAt)],
);

export const contactSalesInquiries = pgTable("contact_sales_inquiries", {
  id: uuid("id").primaryKey().defaultRandom(),
  firstName: text("first_name").notNull(),
  lastName: text("last_name").notNull(),
  businessEmail: text("business_email").notNull(),
  companyName: text("company_name").notNull(),
  companySize: text("company_size").notNull(),
  countryRegion: text("country_region").notNull(),
  useCase: text("use_case").notNull(),
  goals: text("goals"),
  source: text("source").notNull().default("page"),
  consentOutreach: boolean("consent_outreach").notNull().default(false),
  consentUpdates: boolean("consent_updates").notNull().default(false),
  submitterIp: text("submitter_ip"),
  userAgent: text("user_agent"),
  createdAt: ts("created_at").notNull().defaultNow(),
});
