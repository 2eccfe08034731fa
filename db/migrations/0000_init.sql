CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE TYPE "public"."auth_method" AS ENUM('auto', 'plain', 'login', 'cram-md5', 'xoauth2');--> statement-breakpoint
CREATE TYPE "public"."credential_mode" AS ENUM('mailbox', 'profile', 'windows', 'anonymous');--> statement-breakpoint
CREATE TYPE "public"."delivery_method" AS ENUM('server_side_sync', 'email_router', 'none');--> statement-breakpoint
CREATE TYPE "public"."incoming_protocol" AS ENUM('imap', 'pop3');--> statement-breakpoint
CREATE TYPE "public"."job_status" AS ENUM('queued', 'running', 'done', 'failed');--> statement-breakpoint
CREATE TYPE "public"."mailbox_kind" AS ENUM('user', 'queue');--> statement-breakpoint
CREATE TYPE "public"."outbox_status" AS ENUM('queued', 'sending', 'sent', 'retrying', 'failed');--> statement-breakpoint
CREATE TYPE "public"."role" AS ENUM('admin', 'mailbox_manager', 'member');--> statement-breakpoint
CREATE TYPE "public"."server_type" AS ENUM('gmail', 'pop3smtp');--> statement-breakpoint
CREATE TYPE "public"."severity" AS ENUM('error', 'warning', 'information');--> statement-breakpoint
CREATE TYPE "public"."test_status" AS ENUM('not_run', 'success', 'failure', 'not_supported');--> statement-breakpoint
CREATE TABLE "alerts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"severity" "severity" NOT NULL,
	"mailbox_id" uuid,
	"profile_id" uuid,
	"recipient_id" uuid NOT NULL,
	"dedup_key" text NOT NULL,
	"title" text NOT NULL,
	"message" text NOT NULL,
	"detail" text DEFAULT '' NOT NULL,
	"count" integer DEFAULT 1 NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"read_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "email_attachments" (
	"email_id" bigint NOT NULL,
	"position" integer NOT NULL,
	"filename" text NOT NULL,
	"content_type" text NOT NULL,
	"size_bytes" integer NOT NULL,
	"content_id" text,
	"part_path" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "email_sources" (
	"email_id" bigint PRIMARY KEY NOT NULL,
	"raw" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "emails" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"mailbox_id" uuid NOT NULL,
	"source_key" text NOT NULL,
	"message_id" text,
	"content_hash" text NOT NULL,
	"from_address" text DEFAULT '' NOT NULL,
	"from_name" text DEFAULT '' NOT NULL,
	"to_list" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"cc_list" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"reply_to" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"subject" text DEFAULT '' NOT NULL,
	"sent_at" timestamp with time zone,
	"in_reply_to" text,
	"references" text,
	"text_body" text,
	"html_body" text,
	"size_bytes" integer NOT NULL,
	"has_attachments" boolean DEFAULT false NOT NULL,
	"parse_error" text,
	"oversized" boolean DEFAULT false NOT NULL,
	"stored_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "job_items" (
	"job_id" uuid NOT NULL,
	"mailbox_id" uuid NOT NULL,
	"outcome" text,
	"message" text,
	"finished_at" timestamp with time zone,
	CONSTRAINT "job_items_job_id_mailbox_id_pk" PRIMARY KEY("job_id","mailbox_id")
);
--> statement-breakpoint
CREATE TABLE "jobs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"profile_id" uuid,
	"created_by_id" uuid,
	"status" "job_status" DEFAULT 'queued' NOT NULL,
	"total" integer DEFAULT 0 NOT NULL,
	"done" integer DEFAULT 0 NOT NULL,
	"succeeded" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"lease_owner" text,
	"lease_expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "connection_slots" (
	"key" text NOT NULL,
	"slot" integer NOT NULL,
	"owner" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "connection_slots_key_slot_pk" PRIMARY KEY("key","slot")
);
--> statement-breakpoint
CREATE TABLE "mailboxes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" "mailbox_kind" NOT NULL,
	"name" text NOT NULL,
	"email_address" text NOT NULL,
	"user_id" uuid,
	"owner_id" uuid,
	"profile_id" uuid,
	"incoming_delivery" "delivery_method" DEFAULT 'none' NOT NULL,
	"outgoing_delivery" "delivery_method" DEFAULT 'none' NOT NULL,
	"act_delivery" "delivery_method" DEFAULT 'none' NOT NULL,
	"user_name" text,
	"password_sealed" text,
	"approved_at" timestamp with time zone,
	"approved_by_id" uuid,
	"incoming_status" "test_status" DEFAULT 'not_run' NOT NULL,
	"outgoing_status" "test_status" DEFAULT 'not_run' NOT NULL,
	"act_status" "test_status" DEFAULT 'not_run' NOT NULL,
	"incoming_enabled" boolean DEFAULT false NOT NULL,
	"outgoing_enabled" boolean DEFAULT false NOT NULL,
	"last_tested_at" timestamp with time zone,
	"last_sync_at" timestamp with time zone,
	"next_sync_at" timestamp with time zone,
	"last_error" text,
	"last_error_code" text,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"first_failure_at" timestamp with time zone,
	"lease_owner" text,
	"lease_expires_at" timestamp with time zone,
	"imap_uid_validity" bigint,
	"imap_last_uid" bigint,
	"synced_from" timestamp with time zone,
	"sync_progress_done" integer DEFAULT 0 NOT NULL,
	"sync_progress_total" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"mailbox_id" uuid NOT NULL,
	"created_by_id" uuid,
	"message_id" text NOT NULL,
	"to_list" jsonb NOT NULL,
	"cc_list" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"bcc_list" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"subject" text DEFAULT '' NOT NULL,
	"text_body" text DEFAULT '' NOT NULL,
	"html_body" text,
	"in_reply_to" text,
	"references" text,
	"status" "outbox_status" DEFAULT 'queued' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_owner" text,
	"lease_expires_at" timestamp with time zone,
	"server_response" text,
	"last_error" text,
	"sent_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "outbox_message_id_unique" UNIQUE("message_id")
);
--> statement-breakpoint
CREATE TABLE "outbox_attachments" (
	"outbox_id" bigint NOT NULL,
	"position" integer NOT NULL,
	"filename" text NOT NULL,
	"content_type" text NOT NULL,
	"content" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "profiles" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"owner_id" uuid,
	"server_type" "server_type" NOT NULL,
	"incoming_protocol" "incoming_protocol" DEFAULT 'imap' NOT NULL,
	"incoming_host" text NOT NULL,
	"outgoing_host" text NOT NULL,
	"credential_mode" "credential_mode" DEFAULT 'mailbox' NOT NULL,
	"user_name" text,
	"password_sealed" text,
	"use_same_for_outgoing" boolean DEFAULT true NOT NULL,
	"outgoing_user_name" text,
	"outgoing_password_sealed" text,
	"incoming_port" integer NOT NULL,
	"outgoing_port" integer NOT NULL,
	"incoming_tls" boolean DEFAULT true NOT NULL,
	"outgoing_tls" boolean DEFAULT true NOT NULL,
	"incoming_auth_method" "auth_method" DEFAULT 'auto' NOT NULL,
	"outgoing_auth_method" "auth_method" DEFAULT 'auto' NOT NULL,
	"process_email_from" timestamp with time zone DEFAULT now() NOT NULL,
	"min_polling_interval_minutes" integer DEFAULT 5 NOT NULL,
	"max_connections" integer DEFAULT 10 NOT NULL,
	"is_default" boolean DEFAULT false NOT NULL,
	"append_sent_to_imap" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "org_settings" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"incoming_delivery" "delivery_method" DEFAULT 'server_side_sync' NOT NULL,
	"outgoing_delivery" "delivery_method" DEFAULT 'server_side_sync' NOT NULL,
	"act_delivery" "delivery_method" DEFAULT 'none' NOT NULL,
	"process_only_approved" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "org_settings_single_row" CHECK ("org_settings"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "sign_in_throttle" (
	"key" text PRIMARY KEY NOT NULL,
	"failures" integer DEFAULT 0 NOT NULL,
	"window_started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"blocked_until" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"password_hash" text NOT NULL,
	"role" "role" DEFAULT 'member' NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_email_unique" UNIQUE("email")
);
--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_mailbox_id_mailboxes_id_fk" FOREIGN KEY ("mailbox_id") REFERENCES "public"."mailboxes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_profile_id_profiles_id_fk" FOREIGN KEY ("profile_id") REFERENCES "public"."profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_recipient_id_users_id_fk" FOREIGN KEY ("recipient_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "email_attachments" ADD CONSTRAINT "email_attachments_email_id_emails_id_fk" FOREIGN KEY ("email_id") REFERENCES "public"."emails"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "email_sources" ADD CONSTRAINT "email_sources_email_id_emails_id_fk" FOREIGN KEY ("email_id") REFERENCES "public"."emails"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "emails" ADD CONSTRAINT "emails_mailbox_id_mailboxes_id_fk" FOREIGN KEY ("mailbox_id") REFERENCES "public"."mailboxes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "job_items" ADD CONSTRAINT "job_items_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "job_items" ADD CONSTRAINT "job_items_mailbox_id_mailboxes_id_fk" FOREIGN KEY ("mailbox_id") REFERENCES "public"."mailboxes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_profile_id_profiles_id_fk" FOREIGN KEY ("profile_id") REFERENCES "public"."profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mailboxes" ADD CONSTRAINT "mailboxes_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mailboxes" ADD CONSTRAINT "mailboxes_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mailboxes" ADD CONSTRAINT "mailboxes_profile_id_profiles_id_fk" FOREIGN KEY ("profile_id") REFERENCES "public"."profiles"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mailboxes" ADD CONSTRAINT "mailboxes_approved_by_id_users_id_fk" FOREIGN KEY ("approved_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_mailbox_id_mailboxes_id_fk" FOREIGN KEY ("mailbox_id") REFERENCES "public"."mailboxes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbox_attachments" ADD CONSTRAINT "outbox_attachments_outbox_id_outbox_id_fk" FOREIGN KEY ("outbox_id") REFERENCES "public"."outbox"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "profiles" ADD CONSTRAINT "profiles_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_unread_dedup" ON "alerts" USING btree ("recipient_id","dedup_key") WHERE "alerts"."read_at" is null;--> statement-breakpoint
CREATE INDEX "alerts_recipient_idx" ON "alerts" USING btree ("recipient_id","last_seen_at");--> statement-breakpoint
CREATE INDEX "alerts_mailbox_idx" ON "alerts" USING btree ("mailbox_id","last_seen_at");--> statement-breakpoint
CREATE UNIQUE INDEX "email_attachments_pk" ON "email_attachments" USING btree ("email_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "emails_source_unique" ON "emails" USING btree ("mailbox_id","source_key");--> statement-breakpoint
CREATE INDEX "emails_list_idx" ON "emails" USING btree ("mailbox_id","stored_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "emails_message_id_idx" ON "emails" USING btree ("mailbox_id","message_id");--> statement-breakpoint
CREATE INDEX "emails_hash_idx" ON "emails" USING btree ("mailbox_id","content_hash");--> statement-breakpoint
CREATE INDEX "emails_subject_trgm" ON "emails" USING gin (lower("subject") gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "emails_from_trgm" ON "emails" USING gin (lower("from_address" || ' ' || "from_name") gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "jobs_status_idx" ON "jobs" USING btree ("status","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "mailboxes_user_unique" ON "mailboxes" USING btree ("user_id") WHERE "mailboxes"."kind" = 'user';--> statement-breakpoint
CREATE INDEX "mailboxes_owner_idx" ON "mailboxes" USING btree ("owner_id");--> statement-breakpoint
CREATE INDEX "mailboxes_profile_idx" ON "mailboxes" USING btree ("profile_id");--> statement-breakpoint
CREATE INDEX "mailboxes_due_idx" ON "mailboxes" USING btree ("next_sync_at") WHERE "mailboxes"."incoming_enabled";--> statement-breakpoint
CREATE INDEX "mailboxes_name_idx" ON "mailboxes" USING btree ("name");--> statement-breakpoint
CREATE INDEX "outbox_due_idx" ON "outbox" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "outbox_mailbox_idx" ON "outbox" USING btree ("mailbox_id","created_at");--> statement-breakpoint
CREATE INDEX "outbox_attachments_idx" ON "outbox_attachments" USING btree ("outbox_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "profiles_name_unique" ON "profiles" USING btree (lower("name"));--> statement-breakpoint
CREATE UNIQUE INDEX "profiles_one_default" ON "profiles" USING btree ("is_default") WHERE "profiles"."is_default";--> statement-breakpoint
CREATE INDEX "sign_in_throttle_window_idx" ON "sign_in_throttle" USING btree ("window_started_at");