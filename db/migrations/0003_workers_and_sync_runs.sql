CREATE TABLE "sync_runs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"mailbox_id" uuid NOT NULL,
	"profile_id" uuid,
	"protocol" text NOT NULL,
	"worker_id" text NOT NULL,
	"result" text NOT NULL,
	"error_code" text,
	"stored" integer DEFAULT 0 NOT NULL,
	"lag_ms" integer,
	"duration_ms" integer NOT NULL,
	"finished_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workers" (
	"id" text PRIMARY KEY NOT NULL,
	"host" text NOT NULL,
	"pid" integer NOT NULL,
	"version" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"stopped_at" timestamp with time zone,
	"lanes_busy" integer DEFAULT 0 NOT NULL,
	"metrics" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_mailbox_id_mailboxes_id_fk" FOREIGN KEY ("mailbox_id") REFERENCES "public"."mailboxes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_profile_id_profiles_id_fk" FOREIGN KEY ("profile_id") REFERENCES "public"."profiles"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sync_runs_finished_idx" ON "sync_runs" USING btree ("finished_at");--> statement-breakpoint
CREATE INDEX "sync_runs_mailbox_idx" ON "sync_runs" USING btree ("mailbox_id","finished_at");