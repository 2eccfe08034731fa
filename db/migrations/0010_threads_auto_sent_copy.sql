ALTER TABLE "emails" ADD COLUMN "thread_id" uuid;--> statement-breakpoint
ALTER TABLE "emails" ADD COLUMN "thread_method" text;--> statement-breakpoint
ALTER TABLE "emails" ADD COLUMN "ref_ids" text[];--> statement-breakpoint
ALTER TABLE "emails" ADD COLUMN "subject_key" text;--> statement-breakpoint
ALTER TABLE "emails" ADD COLUMN "auto_kind" text;--> statement-breakpoint
ALTER TABLE "emails" ADD COLUMN "auto_reason" text;--> statement-breakpoint
ALTER TABLE "emails" ADD COLUMN "dsn_recipients" jsonb;--> statement-breakpoint
ALTER TABLE "emails" ADD COLUMN "bounced_addresses" text[];--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "thread_id" uuid;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "sent_copy" text;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "sent_copy_raw" "bytea";--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "sent_copy_attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "sent_copy_next_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "sent_copy_folder" text;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "sent_copy_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "sent_copy_error_key" text;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "sent_copy_error_params" jsonb;--> statement-breakpoint
CREATE INDEX "emails_thread_idx" ON "emails" USING btree ("mailbox_id","thread_id");--> statement-breakpoint
CREATE INDEX "emails_ref_ids_idx" ON "emails" USING gin ("ref_ids");--> statement-breakpoint
CREATE INDEX "emails_subject_key_idx" ON "emails" USING btree ("mailbox_id","subject_key");--> statement-breakpoint
CREATE INDEX "emails_bounced_idx" ON "emails" USING gin ("bounced_addresses");--> statement-breakpoint
CREATE INDEX "outbox_sent_copy_idx" ON "outbox" USING btree ("sent_copy","sent_copy_next_at");--> statement-breakpoint
CREATE INDEX "outbox_thread_idx" ON "outbox" USING btree ("mailbox_id","thread_id");