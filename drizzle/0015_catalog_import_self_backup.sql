CREATE TABLE "self_backup_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"storage_location_id" uuid,
	"key" text,
	"size_bytes" bigint,
	"sha256" text,
	"error" text,
	"scheduled_for" timestamp with time zone,
	"requested_by" uuid,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "self_backup_settings" (
	"id" text PRIMARY KEY DEFAULT 'console' NOT NULL,
	"org_id" uuid NOT NULL,
	"enabled" boolean DEFAULT false NOT NULL,
	"schedule" text DEFAULT '0 3 * * *' NOT NULL,
	"storage_location_id" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "archived_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "backups" ADD COLUMN "origin" text DEFAULT 'taken' NOT NULL;--> statement-breakpoint
ALTER TABLE "backups" ADD COLUMN "trusted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "backups" ADD COLUMN "trusted_by" uuid;--> statement-breakpoint
ALTER TABLE "self_backup_runs" ADD CONSTRAINT "self_backup_runs_storage_location_id_storage_locations_id_fk" FOREIGN KEY ("storage_location_id") REFERENCES "public"."storage_locations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "self_backup_runs" ADD CONSTRAINT "self_backup_runs_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "self_backup_settings" ADD CONSTRAINT "self_backup_settings_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "self_backup_settings" ADD CONSTRAINT "self_backup_settings_storage_location_id_storage_locations_id_fk" FOREIGN KEY ("storage_location_id") REFERENCES "public"."storage_locations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "self_backup_runs_slot_idx" ON "self_backup_runs" USING btree ("scheduled_for");--> statement-breakpoint
CREATE INDEX "self_backup_runs_created_idx" ON "self_backup_runs" USING btree ("created_at" DESC NULLS LAST);--> statement-breakpoint
ALTER TABLE "backups" ADD CONSTRAINT "backups_trusted_by_users_id_fk" FOREIGN KEY ("trusted_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;