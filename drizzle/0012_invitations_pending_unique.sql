-- One pending invitation per person and workspace. Duplicates made before this rule keep only the newest pending.
UPDATE "invitations" SET "status" = 'revoked'
WHERE "status" = 'pending' AND "id" NOT IN (
  SELECT DISTINCT ON ("workspace_id", "email") "id" FROM "invitations"
  WHERE "status" = 'pending' ORDER BY "workspace_id", "email", "created_at" DESC
);--> statement-breakpoint
CREATE UNIQUE INDEX "invitations_pending_email_uq" ON "invitations" USING btree ("workspace_id","email") WHERE status = 'pending';
