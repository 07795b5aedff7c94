import { bigint, boolean, index, integer, pgTable, primaryKey, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { ts } from "./columns";
import { issues } from "./issues";
import { workspaceRef } from "./workspaces";

/**
 * Stripe events already counted (idempotency per Stripe event id): the insert that wins counts the event into the
 * business metrics; a redelivery finds the row and counts nothing.
 */
export const stripeEvents = pgTable("stripe_events", {
  id: text("id").primaryKey(),
  type: text("type").notNull(),
  receivedAt: ts("received_at").notNull().defaultNow(),
});

/** A GitHub App installation bound to one workspace (inventory §1.7); `installation_id` is unique across workspaces. */
export const githubInstallations = pgTable(
  "github_installations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: workspaceRef(),
    installationId: bigint("installation_id", { mode: "number" }).notNull().unique(),
    accountLogin: text("account_login").notNull().default("unknown"),
    accountType: text("account_type").notNull().default("User"), // User | Organization
    accountAvatarUrl: text("account_avatar_url"),
    /** Whether pull requests are linked to issues (the PR rows are stored either way). */
    autoLinkPrs: boolean("auto_link_prs").notNull().default(true),
    connectedById: uuid("connected_by_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: ts("created_at").notNull().defaultNow(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [index("github_installations_workspace_idx").on(t.workspaceId)],
);

export const githubPullRequests = pgTable(
  "github_pull_requests",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: workspaceRef(),
    installationId: bigint("installation_id", { mode: "number" }).notNull(),
    repoOwner: text("repo_owner").notNull(),
    repoName: text("repo_name").notNull(),
    prNumber: integer("pr_number").notNull(),
    title: text("title").notNull(),
    state: text("state").notNull(), // open | closed | merged | draft
    htmlUrl: text("html_url").notNull(),
    branch: text("branch"),
    authorLogin: text("author_login"),
    authorAvatarUrl: text("author_avatar_url"),
    mergedAt: ts("merged_at"),
    closedAt: ts("closed_at"),
    prCreatedAt: ts("pr_created_at").notNull(),
    prUpdatedAt: ts("pr_updated_at").notNull(),
    headSha: text("head_sha").notNull().default(""),
    mergeableState: text("mergeable_state"),
    additions: integer("additions").notNull().default(0),
    deletions: integer("deletions").notNull().default(0),
    changedFiles: integer("changed_files").notNull().default(0),
    /** Set once when created → merged was observed into `github_pr_merge_seconds` (once per PR). */
    mergeObservedAt: ts("merge_observed_at"),
    createdAt: ts("created_at").notNull().defaultNow(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [uniqueIndex("github_pull_requests_repo_number_idx").on(t.workspaceId, t.repoOwner, t.repoName, t.prNumber)],
);

export const githubCheckSuites = pgTable(
  "github_check_suites",
  {
    prId: uuid("pr_id")
      .notNull()
      .references(() => githubPullRequests.id, { onDelete: "cascade" }),
    suiteId: bigint("suite_id", { mode: "number" }).notNull(),
    headSha: text("head_sha").notNull(),
    appId: bigint("app_id", { mode: "number" }).notNull().default(0),
    conclusion: text("conclusion"),
    status: text("status").notNull(),
    updatedAt: ts("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.prId, t.suiteId] }), index("github_check_suites_head_idx").on(t.prId, t.headSha, t.appId, t.updatedAt)],
);

export const issuePullRequests = pgTable(
  "issue_pull_requests",
  {
    issueId: uuid("issue_id")
      .notNull()
      .references(() => issues.id, { onDelete: "cascade" }),
    pullRequestId: uuid("pull_request_id")
      .notNull()
      .references(() => githubPullRequests.id, { onDelete: "cascade" }),
    linkedByType: text("linked_by_type").notNull().default("system"),
    closeIntent: boolean("close_intent").notNull().default(false),
    linkedAt: ts("linked_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.issueId, t.pullRequestId] }), index("issue_pull_requests_pr_idx").on(t.pullRequestId)],
);

/** GitHub deliveries already processed (`X-GitHub-Delivery`): a redelivery changes nothing and counts nothing. */
export const githubDeliveries = pgTable(
  "github_deliveries",
  {
    deliveryId: text("delivery_id").primaryKey(),
    event: text("event").notNull(),
    receivedAt: ts("received_at").notNull().defaultNow(),
  },
  (t) => [index("github_deliveries_received_idx").on(t.receivedAt)],
);
