CREATE TABLE "backup_filestore_objects" (
	"backup_id" uuid NOT NULL,
	"storage_location_id" uuid NOT NULL,
	"object_id" text NOT NULL,
	CONSTRAINT "backup_filestore_objects_backup_id_storage_location_id_object_id_pk" PRIMARY KEY("backup_id","storage_location_id","object_id")
);
--> statement-breakpoint
CREATE TABLE "filestore_objects" (
	"storage_location_id" uuid NOT NULL,
	"id" text NOT NULL,
	"sha1" text NOT NULL,
	"sha256" text NOT NULL,
	"size" bigint NOT NULL,
	"stored_size" bigint NOT NULL,
	"encryption_key_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"stored_at" timestamp with time zone,
	CONSTRAINT "filestore_objects_storage_location_id_id_pk" PRIMARY KEY("storage_location_id","id")
);
--> statement-breakpoint
ALTER TABLE "backup_policies" ADD COLUMN "filestore_layout" text;--> statement-breakpoint
ALTER TABLE "backup_artifacts" ADD COLUMN "layout" text DEFAULT 'file' NOT NULL;--> statement-breakpoint
ALTER TABLE "backup_filestore_objects" ADD CONSTRAINT "backup_filestore_objects_backup_id_backups_id_fk" FOREIGN KEY ("backup_id") REFERENCES "public"."backups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "backup_filestore_objects" ADD CONSTRAINT "backup_filestore_objects_storage_location_id_object_id_filestore_objects_storage_location_id_id_fk" FOREIGN KEY ("storage_location_id","object_id") REFERENCES "public"."filestore_objects"("storage_location_id","id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "filestore_objects" ADD CONSTRAINT "filestore_objects_storage_location_id_storage_locations_id_fk" FOREIGN KEY ("storage_location_id") REFERENCES "public"."storage_locations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "filestore_objects" ADD CONSTRAINT "filestore_objects_encryption_key_id_organization_keys_id_fk" FOREIGN KEY ("encryption_key_id") REFERENCES "public"."organization_keys"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "backup_filestore_objects_object_idx" ON "backup_filestore_objects" USING btree ("storage_location_id","object_id");--> statement-breakpoint
UPDATE "backup_policies" SET "filestore_layout" = 'objects' WHERE "environment_id" IS NULL;
