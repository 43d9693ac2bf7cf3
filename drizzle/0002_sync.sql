CREATE TYPE "public"."project_match" AS ENUM('TITLE', 'CATEGORY', 'DEFAULT', 'NONE');--> statement-breakpoint
CREATE TYPE "public"."sync_mode" AS ENUM('INCREMENTAL', 'FULL');--> statement-breakpoint
CREATE TYPE "public"."sync_trigger" AS ENUM('MANUAL', 'SCHEDULED');--> statement-breakpoint
CREATE TABLE "calendar_objects" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"calendar_id" uuid NOT NULL,
	"href" text NOT NULL,
	"etag" text,
	"data" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "calendar_objects_href" UNIQUE("calendar_id","href")
);
--> statement-breakpoint
CREATE TABLE "event_links" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"integration_id" uuid NOT NULL,
	"calendar_id" uuid NOT NULL,
	"href" text NOT NULL,
	"uid" text NOT NULL,
	"recurrence_id" text,
	"etag" text,
	"content_hash" text NOT NULL,
	"occurrence_start" timestamp with time zone NOT NULL,
	"time_entry_id" uuid,
	"detached" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "event_links_occurrence" UNIQUE NULLS NOT DISTINCT("calendar_id","uid","recurrence_id")
);
--> statement-breakpoint
CREATE TABLE "sync_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"integration_id" uuid NOT NULL,
	"mode" "sync_mode" NOT NULL,
	"trigger" "sync_trigger" NOT NULL,
	"status" "sync_status" DEFAULT 'RUNNING' NOT NULL,
	"message" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"duration_ms" integer,
	"objects_fetched" integer DEFAULT 0 NOT NULL,
	"occurrences_seen" integer DEFAULT 0 NOT NULL,
	"entries_created" integer DEFAULT 0 NOT NULL,
	"entries_updated" integer DEFAULT 0 NOT NULL,
	"entries_deleted" integer DEFAULT 0 NOT NULL,
	"entries_unchanged" integer DEFAULT 0 NOT NULL,
	"conflicts_kept" integer DEFAULT 0 NOT NULL,
	"skipped" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"requests" integer DEFAULT 0 NOT NULL,
	"bytes_received" integer DEFAULT 0 NOT NULL,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"warnings" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "integrations" ADD COLUMN "all_day_start" text DEFAULT '09:00' NOT NULL;--> statement-breakpoint
ALTER TABLE "integrations" ADD COLUMN "all_day_hours" integer DEFAULT 8 NOT NULL;--> statement-breakpoint
ALTER TABLE "integrations" ADD COLUMN "skip_free_events" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "time_entries" ADD COLUMN "matched_by" "project_match";--> statement-breakpoint
ALTER TABLE "time_entries" ADD COLUMN "edited_after_import" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "calendar_objects" ADD CONSTRAINT "calendar_objects_calendar_id_integration_calendars_id_fk" FOREIGN KEY ("calendar_id") REFERENCES "public"."integration_calendars"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_links" ADD CONSTRAINT "event_links_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_links" ADD CONSTRAINT "event_links_calendar_id_integration_calendars_id_fk" FOREIGN KEY ("calendar_id") REFERENCES "public"."integration_calendars"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_links" ADD CONSTRAINT "event_links_time_entry_id_time_entries_id_fk" FOREIGN KEY ("time_entry_id") REFERENCES "public"."time_entries"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "event_links_integration" ON "event_links" USING btree ("integration_id");--> statement-breakpoint
CREATE INDEX "event_links_time_entry" ON "event_links" USING btree ("time_entry_id");--> statement-breakpoint
CREATE INDEX "sync_runs_integration_started" ON "sync_runs" USING btree ("integration_id","started_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE UNIQUE INDEX "sync_runs_one_running" ON "sync_runs" USING btree ("integration_id") WHERE "sync_runs"."status" = 'RUNNING';