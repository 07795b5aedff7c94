CREATE TABLE "analytics_outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"uuid" uuid NOT NULL,
	"user_id" uuid,
	"event" text NOT NULL,
	"distinct_id" text NOT NULL,
	"properties" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_until" timestamp with time zone,
	"dead_at" timestamp with time zone,
	"last_status" smallint
);
--> statement-breakpoint
CREATE INDEX "analytics_outbox_due_idx" ON "analytics_outbox" USING btree ("next_attempt_at","id") WHERE "analytics_outbox"."dead_at" is null;--> statement-breakpoint
CREATE INDEX "analytics_outbox_user_idx" ON "analytics_outbox" USING btree ("user_id");