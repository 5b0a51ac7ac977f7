CREATE TABLE "overdue_alerts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"environment_id" uuid NOT NULL,
	"slot" timestamp with time zone NOT NULL,
	"reason" text NOT NULL,
	"detail" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "overdue_alerts" ADD CONSTRAINT "overdue_alerts_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "overdue_alerts" ADD CONSTRAINT "overdue_alerts_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "overdue_alerts_environment_slot_idx" ON "overdue_alerts" USING btree ("environment_id","slot");--> statement-breakpoint
CREATE INDEX "overdue_alerts_org_created_idx" ON "overdue_alerts" USING btree ("org_id","created_at" DESC NULLS LAST);