ALTER TABLE "event_links" DROP CONSTRAINT "event_links_integration_id_integrations_id_fk";
--> statement-breakpoint
DROP INDEX "event_links_integration";--> statement-breakpoint
ALTER TABLE "event_links" DROP COLUMN "integration_id";