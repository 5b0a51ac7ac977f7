CREATE TABLE "retired_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"purpose" text NOT NULL,
	"master_key_id" text NOT NULL,
	"key" text NOT NULL,
	"retired_at" timestamp with time zone DEFAULT now() NOT NULL
);
