ALTER TABLE "alerts" ADD COLUMN "title_key" text;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "title_params" jsonb;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "message_key" text;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "message_params" jsonb;--> statement-breakpoint
ALTER TABLE "job_items" ADD COLUMN "message_key" text;--> statement-breakpoint
ALTER TABLE "job_items" ADD COLUMN "message_params" jsonb;--> statement-breakpoint
ALTER TABLE "mailboxes" ADD COLUMN "last_error_key" text;--> statement-breakpoint
ALTER TABLE "mailboxes" ADD COLUMN "last_error_params" jsonb;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "last_error_key" text;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "last_error_params" jsonb;