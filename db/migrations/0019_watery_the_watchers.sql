CREATE TYPE "public"."after_fetch_action" AS ENUM('keep', 'mark_read', 'move', 'delete');--> statement-breakpoint
ALTER TABLE "emails" ADD COLUMN "after_fetch_pending" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "profiles" ADD COLUMN "after_fetch_action" "after_fetch_action" DEFAULT 'keep' NOT NULL;--> statement-breakpoint
ALTER TABLE "profiles" ADD COLUMN "after_fetch_folder" text;--> statement-breakpoint
CREATE INDEX "emails_after_fetch_pending_idx" ON "emails" USING btree ("mailbox_id") WHERE "emails"."after_fetch_pending";