ALTER TABLE "download_links" ADD COLUMN "format" text;--> statement-breakpoint
ALTER TABLE "download_links" ADD COLUMN "neutralized" boolean DEFAULT false NOT NULL;