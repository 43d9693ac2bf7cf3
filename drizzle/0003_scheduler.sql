ALTER TABLE "integrations" ADD COLUMN "next_sync_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "integrations" ADD COLUMN "consecutive_failures" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "integrations" ADD COLUMN "consecutive_auth_failures" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "integrations" ADD COLUMN "paused_reason" text;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD COLUMN "error_code" text;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD COLUMN "retry_after_ms" integer;--> statement-breakpoint
CREATE INDEX "integrations_due" ON "integrations" USING btree ("next_sync_at") WHERE "integrations"."next_sync_at" is not null and "integrations"."paused_reason" is null;