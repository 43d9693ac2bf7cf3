CREATE TYPE "public"."sync_status" AS ENUM('RUNNING', 'SUCCESS', 'PARTIAL', 'ERROR');--> statement-breakpoint
CREATE TABLE "integration_calendars" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"integration_id" uuid NOT NULL,
	"url" text NOT NULL,
	"display_name" text,
	"description" text,
	"color" text,
	"supports_events" boolean DEFAULT true NOT NULL,
	"selected" boolean DEFAULT false NOT NULL,
	"default_project_id" uuid,
	"ctag" text,
	"sync_token" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "integration_calendars_url" UNIQUE("integration_id","url")
);
--> statement-breakpoint
CREATE TABLE "integrations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"name" text NOT NULL,
	"server_url" text,
	"calendar_url" text,
	"username" text NOT NULL,
	"password_ciphertext" text NOT NULL,
	"verify_ssl" boolean DEFAULT true NOT NULL,
	"default_project_id" uuid,
	"lookback_days" integer DEFAULT 90 NOT NULL,
	"lookahead_days" integer DEFAULT 0 NOT NULL,
	"timezone" text NOT NULL,
	"import_all_day" boolean DEFAULT false NOT NULL,
	"auto_sync_interval_minutes" integer,
	"last_sync_at" timestamp with time zone,
	"last_sync_status" "sync_status",
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "integration_calendars" ADD CONSTRAINT "integration_calendars_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integration_calendars" ADD CONSTRAINT "integration_calendars_default_project_id_projects_id_fk" FOREIGN KEY ("default_project_id") REFERENCES "public"."projects"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integrations" ADD CONSTRAINT "integrations_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integrations" ADD CONSTRAINT "integrations_default_project_id_user_id_projects_id_user_id_fk" FOREIGN KEY ("default_project_id","user_id") REFERENCES "public"."projects"("id","user_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "integrations_user_id_index" ON "integrations" USING btree ("user_id");