ALTER TABLE "users" ADD COLUMN "analytics_consent" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "analytics_consent_at" timestamp with time zone;