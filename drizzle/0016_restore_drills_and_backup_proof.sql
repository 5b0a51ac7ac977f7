CREATE TABLE "restore_drills" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"environment_id" uuid NOT NULL,
	"backup_id" uuid,
	"server_id" uuid,
	"status" "restore_status" DEFAULT 'pending' NOT NULL,
	"progress" jsonb,
	"log" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"checks" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"requested_by" uuid,
	"error" text,
	"failure_kind" "failure_kind",
	"scheduled_for" timestamp with time zone,
	"heartbeat_at" timestamp with time zone,
	"runner_id" text,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "backup_policies" ADD COLUMN "drill" jsonb;--> statement-breakpoint
ALTER TABLE "backups" ADD COLUMN "proof" jsonb;--> statement-breakpoint
ALTER TABLE "restore_drills" ADD CONSTRAINT "restore_drills_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "restore_drills" ADD CONSTRAINT "restore_drills_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "restore_drills" ADD CONSTRAINT "restore_drills_backup_id_backups_id_fk" FOREIGN KEY ("backup_id") REFERENCES "public"."backups"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "restore_drills" ADD CONSTRAINT "restore_drills_server_id_servers_id_fk" FOREIGN KEY ("server_id") REFERENCES "public"."servers"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "restore_drills" ADD CONSTRAINT "restore_drills_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "restore_drills_environment_created_idx" ON "restore_drills" USING btree ("environment_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "restore_drills_backup_finished_idx" ON "restore_drills" USING btree ("backup_id","finished_at" DESC NULLS LAST) WHERE "restore_drills"."status" = 'completed';--> statement-breakpoint
CREATE UNIQUE INDEX "restore_drills_scheduled_slot_idx" ON "restore_drills" USING btree ("environment_id","scheduled_for") WHERE "restore_drills"."scheduled_for" is not null;--> statement-breakpoint
CREATE INDEX "restore_drills_running_idx" ON "restore_drills" USING btree ("heartbeat_at") WHERE "restore_drills"."status" = 'in_progress';