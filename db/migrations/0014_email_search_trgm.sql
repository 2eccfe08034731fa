DROP INDEX "emails_subject_trgm";--> statement-breakpoint
DROP INDEX "emails_from_trgm";--> statement-breakpoint
CREATE INDEX "emails_search_trgm" ON "emails" USING gin (lower("subject" || chr(10) || "from_address" || ' ' || "from_name" || chr(10) || coalesce("text_body", '')) gin_trgm_ops);