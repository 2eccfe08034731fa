ALTER TYPE "public"."server_type" ADD VALUE 'microsoft365';--> statement-breakpoint
CREATE TABLE "oauth_authorizations" (
	"state_hash" text PRIMARY KEY NOT NULL,
	"mailbox_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"code_verifier_sealed" text NOT NULL,
	"nonce" text,
	"redirect_uri" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "oauth_credentials" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"key" text NOT NULL,
	"kind" text NOT NULL,
	"profile_id" uuid NOT NULL,
	"mailbox_id" uuid,
	"account" text,
	"connected_at" timestamp with time zone DEFAULT now() NOT NULL,
	"connected_by_id" uuid,
	"refresh_token_sealed" text,
	"access_token_sealed" text,
	"access_token_expires_at" timestamp with time zone,
	"scope" text,
	"last_refresh_at" timestamp with time zone,
	"last_error_code" text,
	"last_error_at" timestamp with time zone,
	CONSTRAINT "oauth_credentials_key_unique" UNIQUE("key")
);
--> statement-breakpoint
ALTER TABLE "profiles" ADD COLUMN "oauth_provider" text;--> statement-breakpoint
ALTER TABLE "profiles" ADD COLUMN "oauth_client_id" text;--> statement-breakpoint
ALTER TABLE "profiles" ADD COLUMN "oauth_client_secret_sealed" text;--> statement-breakpoint
ALTER TABLE "profiles" ADD COLUMN "oauth_client_certificate_sealed" text;--> statement-breakpoint
ALTER TABLE "profiles" ADD COLUMN "oauth_service_account_key_sealed" text;--> statement-breakpoint
ALTER TABLE "profiles" ADD COLUMN "oauth_tenant" text;--> statement-breakpoint
ALTER TABLE "profiles" ADD COLUMN "oauth_cloud" text;--> statement-breakpoint
ALTER TABLE "profiles" ADD COLUMN "oauth_authorization_url" text;--> statement-breakpoint
ALTER TABLE "profiles" ADD COLUMN "oauth_token_url" text;--> statement-breakpoint
ALTER TABLE "profiles" ADD COLUMN "oauth_revocation_url" text;--> statement-breakpoint
ALTER TABLE "profiles" ADD COLUMN "oauth_userinfo_url" text;--> statement-breakpoint
ALTER TABLE "profiles" ADD COLUMN "oauth_scopes" text;--> statement-breakpoint
ALTER TABLE "profiles" ADD COLUMN "oauth_secret_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "oauth_authorizations" ADD CONSTRAINT "oauth_authorizations_mailbox_id_mailboxes_id_fk" FOREIGN KEY ("mailbox_id") REFERENCES "public"."mailboxes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oauth_authorizations" ADD CONSTRAINT "oauth_authorizations_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oauth_credentials" ADD CONSTRAINT "oauth_credentials_profile_id_profiles_id_fk" FOREIGN KEY ("profile_id") REFERENCES "public"."profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oauth_credentials" ADD CONSTRAINT "oauth_credentials_mailbox_id_mailboxes_id_fk" FOREIGN KEY ("mailbox_id") REFERENCES "public"."mailboxes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oauth_credentials" ADD CONSTRAINT "oauth_credentials_connected_by_id_users_id_fk" FOREIGN KEY ("connected_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "oauth_authorizations_expires_idx" ON "oauth_authorizations" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "oauth_credentials_mailbox_idx" ON "oauth_credentials" USING btree ("mailbox_id");--> statement-breakpoint
CREATE INDEX "oauth_credentials_profile_idx" ON "oauth_credentials" USING btree ("profile_id");