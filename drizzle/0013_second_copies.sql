CREATE TYPE "public"."copy_status" AS ENUM('pending', 'copying', 'completed', 'failed');--> statement-breakpoint
CREATE TABLE "backup_copies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"backup_id" uuid NOT NULL,
	"storage_location_id" uuid NOT NULL,
	"status" "copy_status" DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"error" text,
	"verified_at" timestamp with time zone,
	"size_bytes" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "backup_policies" ADD COLUMN "copy_storage_location_ids" uuid[];--> statement-breakpoint
ALTER TABLE "backup_copies" ADD CONSTRAINT "backup_copies_backup_id_backups_id_fk" FOREIGN KEY ("backup_id") REFERENCES "public"."backups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "backup_copies" ADD CONSTRAINT "backup_copies_storage_location_id_storage_locations_id_fk" FOREIGN KEY ("storage_location_id") REFERENCES "public"."storage_locations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "backup_copies_backup_location_idx" ON "backup_copies" USING btree ("backup_id","storage_location_id");--> statement-breakpoint
CREATE INDEX "backup_copies_storage_location_idx" ON "backup_copies" USING btree ("storage_location_id");--> statement-breakpoint
CREATE INDEX "backup_copies_failed_idx" ON "backup_copies" USING btree ("updated_at" DESC NULLS LAST) WHERE "backup_copies"."status" = 'failed';