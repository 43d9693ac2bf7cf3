ALTER TABLE "integrations" ADD COLUMN "own_addresses" text[];--> statement-breakpoint
ALTER TABLE "integrations" ADD COLUMN "extra_attendee_addresses" text[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "integrations" ADD COLUMN "skip_tentative_invitations" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "integrations" ADD COLUMN "skip_events_without_me" boolean DEFAULT false NOT NULL;