ALTER TABLE "mailboxes" ADD COLUMN "push_connected_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "mailboxes" ADD COLUMN "push_state" text;--> statement-breakpoint
ALTER TABLE "mailboxes" ADD COLUMN "push_retry_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "profiles" ADD COLUMN "push_enabled" boolean DEFAULT true NOT NULL;