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
ALTER TABLE "autopilot_triggers" ADD COLUMN "provider" text DEFAULT 'generic' NOT NULL;--> statement-breakpoint
ALTER TABLE "autopilot_triggers" ADD COLUMN "signing_secret" text;--> statement-breakpoint
ALTER TABLE "autopilot_triggers" ADD COLUMN "event_filters" jsonb;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_autopilot_id_autopilots_id_fk" FOREIGN KEY ("autopilot_id") REFERENCES "public"."autopilots"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_trigger_id_autopilot_triggers_id_fk" FOREIGN KEY ("trigger_id") REFERENCES "public"."autopilot_triggers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_autopilot_run_id_autopilot_runs_id_fk" FOREIGN KEY ("autopilot_run_id") REFERENCES "public"."autopilot_runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_replayed_from_delivery_id_webhook_deliveries_id_fk" FOREIGN KEY ("replayed_from_delivery_id") REFERENCES "public"."webhook_deliveries"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "webhook_deliveries_autopilot_idx" ON "webhook_deliveries" USING btree ("autopilot_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_deliveries_dedupe_idx" ON "webhook_deliveries" USING btree ("trigger_id","dedupe_key") WHERE "webhook_deliveries"."dedupe_key" IS NOT NULL AND "webhook_deliveries"."status" NOT IN ('rejected', 'failed');--> statement-breakpoint
CREATE INDEX "webhook_deliveries_run_idx" ON "webhook_deliveries" USING btree ("autopilot_run_id") WHERE "webhook_deliveries"."autopilot_run_id" IS NOT NULL;