CREATE INDEX "chat_messages_created_at_idx" ON "chat_messages" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "agent_tasks_open_status_idx" ON "agent_tasks" USING btree ("status","source","runtime_id","started_at") WHERE status in ('queued', 'dispatched', 'running');--> statement-breakpoint
CREATE INDEX "agent_tasks_created_at_idx" ON "agent_tasks" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "runtimes_last_seen_idx" ON "runtimes" USING btree ("last_seen_at");