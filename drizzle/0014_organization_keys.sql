CREATE TABLE "organization_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"recipient" text NOT NULL,
	"identity" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retired_at" timestamp with time zone,
	"kit_confirmed_at" timestamp with time zone,
	"kit_confirmed_by" uuid
);
--> statement-breakpoint
ALTER TABLE "backup_policies" ADD COLUMN "encrypt" boolean;--> statement-breakpoint
ALTER TABLE "backup_artifacts" ADD COLUMN "encryption_key_id" uuid;--> statement-breakpoint
ALTER TABLE "download_links" ADD COLUMN "decrypted" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "organization_keys" ADD CONSTRAINT "organization_keys_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organization_keys" ADD CONSTRAINT "organization_keys_kit_confirmed_by_users_id_fk" FOREIGN KEY ("kit_confirmed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "organization_keys_current_idx" ON "organization_keys" USING btree ("org_id") WHERE "organization_keys"."retired_at" is null;--> statement-breakpoint
CREATE INDEX "organization_keys_org_idx" ON "organization_keys" USING btree ("org_id");--> statement-breakpoint
ALTER TABLE "backup_artifacts" ADD CONSTRAINT "backup_artifacts_encryption_key_id_organization_keys_id_fk" FOREIGN KEY ("encryption_key_id") REFERENCES "public"."organization_keys"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
-- Data fix: organizations that already saved their default policy keep storing plain gzip backups until an owner turns encryption on.
UPDATE "backup_policies" SET "encrypt" = false WHERE "environment_id" IS NULL;
