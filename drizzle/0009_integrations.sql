CREATE TABLE "webhook_deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"autopilot_id" uuid NOT NULL,
	"trigger_id" uuid NOT NULL,
	"provider" text NOT NULL,
	"event" text DEFAULT 'webhook.received' NOT NULL,
	"dedupe_key" text,
	"dedupe_source" text,
	"signature_status" text NOT NULL,
	"selected_headers" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"content_type" text,
	"raw_body" text,
	"status" text DEFAULT 'queued' NOT NULL,
	"attempt_count" integer DEFAULT 1 NOT NULL,
	"response_status" integer,
	"response_body" jsonb,
	"autopilot_run_id" uuid,
	"replayed_from_delivery_id" uuid,
	"error" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "github_check_suites" (
	"pr_id" uuid NOT NULL,
	"suite_id" bigint NOT NULL,
	"head_sha" text NOT NULL,
	"app_id" bigint DEFAULT 0 NOT NULL,
	"conclusion" text,
	"status" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "github_check_suites_pr_id_suite_id_pk" PRIMARY KEY("pr_id","suite_id")
);
--> statement-breakpoint
CREATE TABLE "github_deliveries" (
	"delivery_id" text PRIMARY KEY NOT NULL,
	"event" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "github_installations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"installation_id" bigint NOT NULL,
	"account_login" text DEFAULT 'unknown' NOT NULL,
	"account_type" text DEFAULT 'User' NOT NULL,
	"account_avatar_url" text,
	"auto_link_prs" boolean DEFAULT true NOT NULL,
	"connected_by_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "github_installations_installation_id_unique" UNIQUE("installation_id")
);
--> statement-breakpoint
CREATE TABLE "github_pull_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"installation_id" bigint NOT NULL,
	"repo_owner" text NOT NULL,
	"repo_name" text NOT NULL,
	"pr_number" integer NOT NULL,
	"title" text NOT NULL,
	"state" text NOT NULL,
	"html_url" text NOT NULL,
	"branch" text,
	"author_login" text,
	"author_avatar_url" text,
	"merged_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"pr_created_at" timestamp with time zone NOT NULL,
	"pr_updated_at" timestamp with time zone NOT NULL,
	"head_sha" text DEFAULT '' NOT NULL,
	"mergeable_state" text,
	"additions" integer DEFAULT 0 NOT NULL,
	"deletions" integer DEFAULT 0 NOT NULL,
	"changed_files" integer DEFAULT 0 NOT NULL,
	"merge_observed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "issue_pull_requests" (
	"issue_id" uuid NOT NULL,
	"pull_request_id" uuid NOT NULL,
	"linked_by_type" text DEFAULT 'system' NOT NULL,
	"close_intent" boolean DEFAULT false NOT NULL,
	"linked_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "issue_pull_requests_issue_id_pull_request_id_pk" PRIMARY KEY("issue_id","pull_request_id")
);
--> statement-breakpoint
CREATE TABLE "stripe_events" (
	"id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "autopilot_triggers" ADD COLUMN "provider" text DEFAULT 'generic' NOT NULL;--> statement-breakpoint
ALTER TABLE "autopilot_triggers" ADD COLUMN "signing_secret" text;--> statement-breakpoint
ALTER TABLE "autopilot_triggers" ADD COLUMN "event_filters" jsonb;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_autopilot_id_autopilots_id_fk" FOREIGN KEY ("autopilot_id") REFERENCES "public"."autopilots"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_trigger_id_autopilot_triggers_id_fk" FOREIGN KEY ("trigger_id") REFERENCES "public"."autopilot_triggers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_autopilot_run_id_autopilot_runs_id_fk" FOREIGN KEY ("autopilot_run_id") REFERENCES "public"."autopilot_runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_replayed_from_delivery_id_webhook_deliveries_id_fk" FOREIGN KEY ("replayed_from_delivery_id") REFERENCES "public"."webhook_deliveries"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "github_check_suites" ADD CONSTRAINT "github_check_suites_pr_id_github_pull_requests_id_fk" FOREIGN KEY ("pr_id") REFERENCES "public"."github_pull_requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "github_installations" ADD CONSTRAINT "github_installations_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "github_installations" ADD CONSTRAINT "github_installations_connected_by_id_users_id_fk" FOREIGN KEY ("connected_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "github_pull_requests" ADD CONSTRAINT "github_pull_requests_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issue_pull_requests" ADD CONSTRAINT "issue_pull_requests_issue_id_issues_id_fk" FOREIGN KEY ("issue_id") REFERENCES "public"."issues"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issue_pull_requests" ADD CONSTRAINT "issue_pull_requests_pull_request_id_github_pull_requests_id_fk" FOREIGN KEY ("pull_request_id") REFERENCES "public"."github_pull_requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "webhook_deliveries_autopilot_idx" ON "webhook_deliveries" USING btree ("autopilot_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_deliveries_dedupe_idx" ON "webhook_deliveries" USING btree ("trigger_id","dedupe_key") WHERE "webhook_deliveries"."dedupe_key" IS NOT NULL AND "webhook_deliveries"."status" NOT IN ('rejected', 'failed');--> statement-breakpoint
CREATE INDEX "webhook_deliveries_run_idx" ON "webhook_deliveries" USING btree ("autopilot_run_id") WHERE "webhook_deliveries"."autopilot_run_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "github_check_suites_head_idx" ON "github_check_suites" USING btree ("pr_id","head_sha","app_id","updated_at");--> statement-breakpoint
CREATE INDEX "github_deliveries_received_idx" ON "github_deliveries" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "github_installations_workspace_idx" ON "github_installations" USING btree ("workspace_id");--> statement-breakpoint
CREATE UNIQUE INDEX "github_pull_requests_repo_number_idx" ON "github_pull_requests" USING btree ("workspace_id","repo_owner","repo_name","pr_number");--> statement-breakpoint
CREATE INDEX "issue_pull_requests_pr_idx" ON "issue_pull_requests" USING btree ("pull_request_id");