ALTER TABLE "task_usage" ALTER COLUMN "input_tokens" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "task_usage" ALTER COLUMN "output_tokens" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "task_usage" ALTER COLUMN "cache_read_tokens" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "task_usage" ALTER COLUMN "cache_write_tokens" SET DATA TYPE bigint;