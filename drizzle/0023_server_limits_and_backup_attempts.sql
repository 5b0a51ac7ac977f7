CREATE TABLE "server_operation_leases" (
	"server_id" uuid NOT NULL,
	"run_kind" text NOT NULL,
	"run_id" uuid NOT NULL,
	"state" text NOT NULL,
	"runner_id" text,
	"queued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"checked_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "server_operation_leases_run_kind_run_id_pk" PRIMARY KEY("run_kind","run_id")
);
--> statement-breakpoint
ALTER TABLE "servers" ADD COLUMN "max_concurrent_operations" integer DEFAULT 2 NOT NULL;--> statement-breakpoint
ALTER TABLE "backups" ADD COLUMN "attempt" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "backups" ADD COLUMN "max_attempts" integer;--> statement-breakpoint
ALTER TABLE "server_operation_leases" ADD CONSTRAINT "server_operation_leases_server_id_servers_id_fk" FOREIGN KEY ("server_id") REFERENCES "public"."servers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "server_operation_leases_server_idx" ON "server_operation_leases" USING btree ("server_id","state","queued_at");--> statement-breakpoint
ALTER TABLE "servers" ADD CONSTRAINT "servers_max_concurrent_operations_range" CHECK ("servers"."max_concurrent_operations" between 1 and 50);