CREATE TABLE "erasure_subjects" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"project_id" uuid NOT NULL,
	"subject" text NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "restores" ADD COLUMN "source_environment_id" uuid;--> statement-breakpoint
ALTER TABLE "restores" ADD COLUMN "log" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "restores" ADD COLUMN "report" jsonb;--> statement-breakpoint
ALTER TABLE "restores" ADD COLUMN "previous_copy_discarded_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "restores" ADD COLUMN "heartbeat_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "restores" ADD COLUMN "swapped_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "erasure_subjects" ADD CONSTRAINT "erasure_subjects_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "erasure_subjects" ADD CONSTRAINT "erasure_subjects_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "erasure_subjects" ADD CONSTRAINT "erasure_subjects_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "erasure_subjects_project_subject_idx" ON "erasure_subjects" USING btree ("project_id","subject");--> statement-breakpoint
CREATE INDEX "erasure_subjects_org_idx" ON "erasure_subjects" USING btree ("org_id");--> statement-breakpoint
ALTER TABLE "restores" ADD CONSTRAINT "restores_source_environment_id_environments_id_fk" FOREIGN KEY ("source_environment_id") REFERENCES "public"."environments"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "restores_running_idx" ON "restores" USING btree ("heartbeat_at") WHERE "restores"."status" = 'in_progress';