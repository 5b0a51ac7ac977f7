ALTER TABLE "environments" ADD COLUMN "archived_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "backups" ADD COLUMN "origin" text DEFAULT 'taken' NOT NULL;--> statement-breakpoint
ALTER TABLE "backups" ADD COLUMN "trusted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "backups" ADD COLUMN "trusted_by" uuid;--> statement-breakpoint
ALTER TABLE "backups" ADD CONSTRAINT "backups_trusted_by_users_id_fk" FOREIGN KEY ("trusted_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;