import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { ts } from "./columns";

export const users = pgTable("users", {
  id: uuid("id").primaryKey().defaultRandom(),
  email: text("email").notNull().unique(), // stored lower-cased
  name: text("name").notNull().default(""),
  createdAt: ts("created_at").notNull().defaultNow(),
  updatedAt: ts("updated_at").notNull().defaultNow(),
  onboardedAt: ts("onboarded_at"),
  onboardingQuestionnaire: jsonb("onboarding_questionnaire").notNull().default(sql`'{}'::jsonb`),
  onboardingStartedAt: ts("onboarding_started_at"),
  questionnaireCompletedAt: ts("questionnaire_completed_at"),
  cloudWaitlistEmail: text("cloud_waitlist_email"),
  cloudWaitlistReason: text("cloud_waitlist_reason"),
  /** ANALYTICS_CONSENT: granted | denied | null (not asked yet); a refusal stops identified server events. */
  analyticsConsent: text("analytics_consent"),
  analyticsConsentAt: ts("analytics_consent_at"),
  /** The normalised signup channel (a bounded label, `normalizeSignupSource`), for the operator funnel by source. */
  signupSource: text("signup_source").notNull().default("direct"),
});

export const sessions = pgTable(
  "sessions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tokenHash: text("token_hash").notNull().unique(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: ts("created_at").notNull().defaultNow(),
    expiresAt: ts("expires_at").notNull(),
    revokedAt: ts("revoked_at"),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

export const verificationCodes = pgTable(
  "verification_codes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email").notNull(),
    codeHash: text("code_hash").notNull(),
    attempts: integer("attempts").notNull().default(0),
    createdAt: ts("created_at").notNull().defaultNow(),
    expiresAt: ts("expires_at").notNull(),
    consumedAt: ts("consumed_at"),
  },
  (t) => [index("verification_codes_email_idx").on(t.email, t.createdAt)],
);

/** Personal access tokens (`tdm_...`) and workspace daemon tokens (`tdd_...`); only the hash is kept. */
export const accessTokens = pgTable(
  "access_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id").references(() => users.id, { onDelete: "cascade" }),
    workspaceId: uuid("workspace_id"), // set for daemon tokens
    kind: text("kind").notNull().default("personal"), // personal | daemon
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull(),
    tokenPrefix: text("token_prefix").notNull(), // first characters, for display
    createdAt: ts("created_at").notNull().defaultNow(),
    expiresAt: ts("expires_at"),
    lastUsedAt: ts("last_used_at"),
    revokedAt: ts("revoked_at"),
  },
  (t) => [uniqueIndex("access_tokens_hash_idx").on(t.tokenHash), index("access_tokens_user_idx").on(t.userId)],
);
