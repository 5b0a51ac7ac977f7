CREATE TABLE "worker_processes" (
	"id" text PRIMARY KEY NOT NULL,
	"hostname" text NOT NULL,
	"pid" integer NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "servers" ADD COLUMN "allowed_roots" text[] DEFAULT '{/var/lib/odoo,/opt/odoo}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "servers" ADD COLUMN "database_pattern" text;--> statement-breakpoint
ALTER TABLE "servers" ADD COLUMN "programs" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "backups" ADD COLUMN "runner_id" text;--> statement-breakpoint
ALTER TABLE "backups" ADD COLUMN "signed_manifest" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "restores" ADD COLUMN "runner_id" text;--> statement-breakpoint
-- Program paths now belong to the server's settings (admins), not to an environment's (operators).
UPDATE "environments" SET "source_config" = "source_config" - 'pgDumpPath' - 'psqlPath' WHERE "source_config" ?| array['pgDumpPath', 'psqlPath'];
