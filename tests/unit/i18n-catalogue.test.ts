// The catalogue is complete and has no dead entries: every key has English and
// Japanese text with the same placeholders, and every key is used by the code.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { catalog } from "../../lib/i18n/catalog";

const root = join(__dirname, "..", "..");

/**
 * Keys the code builds at run time from a prefix and a value (a status, a field's
 * form name, a code). A key under one of these counts as used; each prefix must
 * itself appear in the code, so the list cannot outlive its last user.
 */
const DYNAMIC_PREFIXES = [
  "alerts.severity.", // alert-list: the alert's severity
  "common.side.", // incoming/outgoing as a message parameter (sideKey)
  "credentials.error.", // classify-oauth-error: an OAuthError's code
  "discovery.outcome.", // the profile form's discovery panel: each attempt's outcome, source, security, warning
  "discovery.security.",
  "discovery.source.",
  "discovery.warning.",
  "ingest.refused.", // the ingest route: a refusal's code
  "job.outcome.", // job progress: an item's outcome
  "job.status.",
  "mail.auto.", // an email's automatic kind
  "mail.dsn.action.", // a bounce's per-recipient action
  "mail.threadMethod.", // how an email was threaded
  "mail.view.", // the mail list's view switch (messages or threads)
  "mailboxes.delivery.",
  "mailboxes.filter.",
  "mailboxes.kind.",
  "mailboxes.status.",
  "mailboxes.summary.sideTitle.",
  "mailboxes.test.",
  "monitoring.direction.",
  "oauth.cloud.",
  "oauth.field.", // the OAuth fields' labels and help, by field name
  "oauth.help.",
  "oauth.intro.",
  "oauth.provider.",
  "oauth.result.",
  "oauth.signIn.",
  "outbox.status.",
  "profiles.afterFetch.", // the after-fetch action choices, by value (profile-form.tsx, profile-details.tsx)
  "profiles.auth.",
  "profiles.field.", // every form field's label, by its form name (field-label.ts, profile-text.ts)
  "profiles.help.",
  "profiles.mode.",
  "profiles.protocol.",
  "profiles.serverType.",
  "role.",
  "settings.delivery.",
  "settings.field.",
  "settings.help.",
  "sync.phase.",
  "sync.push.polls.",
];

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== "node_modules" && !(dir.endsWith("i18n") && name === "messages")) sourceFiles(path, out);
    } else if (/\.(ts|tsx)$/.test(name)) out.push(path);
  }
  return out;
}

const source = ["lib", "app", "components", "workers", "scripts"]
  .flatMap((d) => sourceFiles(join(root, d)))
  .map((f) => readFileSync(f, "utf8"))
  .join("\n");
const keys = Object.keys(catalog.en) as (keyof typeof catalog.en)[];
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test("every key has English and Japanese text, with the same placeholders", () => {
  expect(Object.keys(catalog.ja).sort()).toEqual([...keys].sort());
  for (const key of keys) {
    expect(catalog.en[key].trim(), key).not.toBe("");
    expect(catalog.ja[key].trim(), key).not.toBe("");
    expect(placeholders(catalog.ja[key]), key).toEqual(placeholders(catalog.en[key]));
  }
});

test("every catalogue entry is used by the code (literally, or under a listed dynamic prefix)", () => {
  const unused = keys.filter((key) => !source.includes(`"${key}"`) && !DYNAMIC_PREFIXES.some((p) => key.startsWith(p)));
  expect(unused, "catalogue entries nothing uses: remove them, or list their dynamic prefix").toEqual([]);
});

test("each dynamic prefix is still built by the code", () => {
  const stale = DYNAMIC_PREFIXES.filter((p) => !source.includes(p));
  expect(stale, "prefixes no code builds keys from").toEqual([]);
});

test("appointments, contacts and tasks is one term in Japanese (the admin guide's)", () => {
  const term = "予定、取引先担当者、タスク";
  const other = keys.filter((key) => /予定/.test(catalog.ja[key]) && /タスク/.test(catalog.ja[key]) && !catalog.ja[key].includes(term));
  expect(other, `Japanese texts naming appointments, contacts and tasks otherwise than "${term}"`).toEqual([]);
});

test("the password help states every rule the server enforces (lib/auth/passwords.ts)", () => {
  expect(catalog.en["field.passwordHelp"]).toMatch(/10 characters.*three of.*email address/);
  expect(catalog.ja["field.passwordHelp"]).toMatch(/10 文字以上.*3 種類.*電子メール アドレス/);
});
