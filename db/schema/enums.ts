import { pgEnum } from "drizzle-orm/pg-core";

export const roleEnum = pgEnum("role", ["admin", "mailbox_manager", "member"]);
export const serverTypeEnum = pgEnum("server_type", ["gmail", "pop3smtp", "microsoft365"]);
export const incomingProtocolEnum = pgEnum("incoming_protocol", ["imap", "pop3"]);
/** How mailboxes of a profile authenticate. Windows and anonymous exist so the form can refuse them with a reason. */
export const credentialModeEnum = pgEnum("credential_mode", ["mailbox", "profile", "windows", "anonymous"]);
/** `xoauth2` means OAuth 2.0: SASL XOAUTH2, or OAUTHBEARER where a server offers only that. */
export const authMethodEnum = pgEnum("auth_method", ["auto", "plain", "login", "cram-md5", "xoauth2"]);
export const deliveryMethodEnum = pgEnum("delivery_method", ["server_side_sync", "email_router", "none"]);
/** retrying: test & enable met a temporary failure (server down, timeout); the direction stays enabled and the worker retries. */
export const testStatusEnum = pgEnum("test_status", ["not_run", "success", "failure", "not_supported", "retrying"]);
export const severityEnum = pgEnum("severity", ["error", "warning", "information"]);
export const mailboxKindEnum = pgEnum("mailbox_kind", ["user", "queue"]);
export const outboxStatusEnum = pgEnum("outbox_status", ["queued", "sending", "sent", "retrying", "failed"]);
export const jobStatusEnum = pgEnum("job_status", ["queued", "running", "done", "failed"]);
/** What sync does on the server once a fetched message is stored (profiles.after_fetch_action). */
export const afterFetchActionEnum = pgEnum("after_fetch_action", ["keep", "mark_read", "move", "delete"]);
