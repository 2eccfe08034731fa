ALTER TABLE "emails" ADD COLUMN "arrived_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "mailboxes" ADD COLUMN "ingest_token_hash" text;--> statement-breakpoint
ALTER TABLE "mailboxes" ADD COLUMN "ingest_token_created_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "mailboxes" ADD COLUMN "silent_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "mailboxes" ADD COLUMN "slow_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "profiles" ADD COLUMN "slow_mail_minutes" integer DEFAULT 30;