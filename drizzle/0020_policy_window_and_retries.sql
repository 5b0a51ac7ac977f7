ALTER TABLE "backup_policies" ADD COLUMN "spread_minutes" integer;--> statement-breakpoint
ALTER TABLE "backup_policies" ADD COLUMN "retries" jsonb;