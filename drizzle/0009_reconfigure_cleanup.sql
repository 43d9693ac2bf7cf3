ALTER TABLE "integration_calendars" ADD COLUMN "auto_selected" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "integrations" ADD COLUMN "last_cleanup" jsonb;