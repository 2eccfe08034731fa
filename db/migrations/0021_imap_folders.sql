CREATE TABLE "mailbox_folders" (
	"mailbox_id" uuid NOT NULL,
	"path" text NOT NULL,
	"uid_validity" bigint,
	"last_uid" bigint DEFAULT 0 NOT NULL,
	"synced_from" timestamp with time zone,
	"error_code" text,
	"error_detail" text,
	"last_sync_at" timestamp with time zone,
	CONSTRAINT "mailbox_folders_mailbox_id_path_pk" PRIMARY KEY("mailbox_id","path")
);
--> statement-breakpoint
ALTER TABLE "emails" ADD COLUMN "folders" text[];--> statement-breakpoint
ALTER TABLE "mailboxes" ADD COLUMN "imap_folders" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "mailbox_folders" ADD CONSTRAINT "mailbox_folders_mailbox_id_mailboxes_id_fk" FOREIGN KEY ("mailbox_id") REFERENCES "public"."mailboxes"("id") ON DELETE cascade ON UPDATE no action;