import type { Locale } from "./locales";
import * as common from "./messages/common";
import * as users from "./messages/users";
import * as mailboxes from "./messages/mailboxes";
import * as alerts from "./messages/alerts";
import * as mail from "./messages/mail";
import * as outbox from "./messages/outbox";
import * as profiles from "./messages/profiles";
import * as settings from "./messages/settings";
import * as sync from "./messages/sync";
import * as oauth from "./messages/oauth";
import * as credentials from "./messages/credentials";
import * as monitoring from "./messages/monitoring";
import * as errors from "./messages/errors";
import * as mailErrors from "./messages/mail-errors";
import * as quarantine from "./messages/quarantine";
import * as discovery from "./messages/discovery";

// Each feature keeps its own messages file (lib/i18n/messages/<feature>.ts, exporting
// `en` and a `ja` typed against it); add it here.
const en = { ...common.en, ...users.en, ...mailboxes.en, ...alerts.en, ...mail.en, ...outbox.en, ...profiles.en, ...settings.en, ...sync.en, ...oauth.en, ...credentials.en, ...monitoring.en, ...errors.en, ...mailErrors.en, ...quarantine.en, ...discovery.en };
const ja: Record<keyof typeof en, string> = { ...common.ja, ...users.ja, ...mailboxes.ja, ...alerts.ja, ...mail.ja, ...outbox.ja, ...profiles.ja, ...settings.ja, ...sync.ja, ...oauth.ja, ...credentials.ja, ...monitoring.ja, ...errors.ja, ...mailErrors.ja, ...quarantine.ja, ...discovery.ja };

export type MessageKey = keyof typeof en;
export const catalog: Record<Locale, Record<MessageKey, string>> = { en, ja };
