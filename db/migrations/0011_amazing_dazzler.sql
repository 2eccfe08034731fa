CREATE TABLE "web_processes" (
	"id" text PRIMARY KEY NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"metrics" jsonb DEFAULT '[]'::jsonb NOT NULL
);
