-- Workers LISTEN on "mailroom_sync" so they act in seconds (not at their next pass) when
-- people change what a worker does: "Sync now", test & enable, disable, approval, new
-- settings or credentials, a deleted mailbox, a changed profile or organisation setting.
-- Triggers rather than calls in each action, so no path that changes these can forget.
-- The worker's own writes (cursor, outcome, lease) move none of the watched columns,
-- except a next sync moved earlier, which is a reason to look again anyway.
CREATE FUNCTION "mailroom_notify_sync"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'mailboxes' THEN
    PERFORM pg_notify('mailroom_sync', json_build_object('mailbox', COALESCE(NEW.id, OLD.id))::text);
  ELSIF TG_TABLE_NAME = 'profiles' THEN
    PERFORM pg_notify('mailroom_sync', json_build_object('profile', COALESCE(NEW.id, OLD.id))::text);
  ELSE
    PERFORM pg_notify('mailroom_sync', '{}');
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "mailboxes_notify_sync" AFTER UPDATE ON "mailboxes" FOR EACH ROW
  WHEN ((OLD.incoming_enabled, OLD.approved_at, OLD.profile_id, OLD.incoming_delivery, OLD.user_name, OLD.password_sealed, OLD.email_address, OLD.sync_now_at)
        IS DISTINCT FROM (NEW.incoming_enabled, NEW.approved_at, NEW.profile_id, NEW.incoming_delivery, NEW.user_name, NEW.password_sealed, NEW.email_address, NEW.sync_now_at)
        OR NEW.next_sync_at < OLD.next_sync_at
        OR (NEW.next_sync_at IS NULL) <> (OLD.next_sync_at IS NULL))
  EXECUTE FUNCTION "mailroom_notify_sync"();--> statement-breakpoint
CREATE TRIGGER "mailboxes_notify_sync_delete" AFTER DELETE ON "mailboxes" FOR EACH ROW EXECUTE FUNCTION "mailroom_notify_sync"();--> statement-breakpoint
CREATE TRIGGER "profiles_notify_sync" AFTER UPDATE OR DELETE ON "profiles" FOR EACH ROW EXECUTE FUNCTION "mailroom_notify_sync"();--> statement-breakpoint
CREATE TRIGGER "org_settings_notify_sync" AFTER INSERT OR UPDATE ON "org_settings" FOR EACH STATEMENT EXECUTE FUNCTION "mailroom_notify_sync"();
