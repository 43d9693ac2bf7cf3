ALTER TABLE "time_entries" ADD COLUMN "project_edited" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "time_entries" ADD COLUMN "notes_edited" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "time_entries" ADD COLUMN "times_edited" boolean DEFAULT false NOT NULL;--> statement-breakpoint
-- Hand-added: an entry edited under the old single flag counts as edited in every field, so nothing a user did is lost.
UPDATE "time_entries" SET "project_edited" = true, "notes_edited" = true, "times_edited" = true WHERE "edited_after_import";--> statement-breakpoint
ALTER TABLE "time_entries" DROP COLUMN "edited_after_import";