ALTER TYPE "public"."backup_type" ADD VALUE 'imported';--> statement-breakpoint
ALTER TABLE "backups" ADD COLUMN "application" jsonb;