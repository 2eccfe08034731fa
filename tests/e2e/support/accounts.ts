import crypto from "node:crypto";
import { expect, type Page } from "@playwright/test";
import bcrypt from "bcryptjs";
import postgres from "postgres";

/** The admin that first-run.spec.ts creates through the setup page. */
export const ADMIN = { email: "admin@example.com", name: "Ada Admin", password: "Ledger-Lamp-2041" };

let sql: postgres.Sql | undefined;
/** The browser tests' database (made fresh for this run by scripts/test.ts). */
export function db(): postgres.Sql {
  sql ??= postgres(process.env.E2E_DATABASE_URL!, { max: 2, onnotice: () => {} });
  return sql;
}

/**
 * Inserts a user (and their mailbox) straight into the database, faster than the
 * users page, for tests about something else. Returns the credentials.
 */
export async function makeUser(role: "admin" | "mailbox_manager" | "member", name = `${role} ${crypto.randomUUID().slice(0, 6)}`) {
  const email = `${role}.${crypto.randomUUID().slice(0, 8)}@example.com`;
  const password = "Test-Password-9";
  const hash = await bcrypt.hash(password, 4);
  const [u] = await db()`insert into users (email, name, password_hash, role) values (${email}, ${name}, ${hash}, ${role}) returning id`;
  await db()`insert into mailboxes (kind, name, email_address, user_id, owner_id) values ('user', ${name}, ${email}, ${u.id}, ${u.id})`;
  return { id: u.id as string, email, password, name };
}

/** Signs in through the sign-in page and waits for the mailboxes page. */
export async function signIn(page: Page, who: { email: string; password: string }) {
  await page.goto("/sign-in");
  await page.getByLabel(/^(Email|電子メール)$/).fill(who.email);
  await page.getByLabel(/^(Password|パスワード)$/).fill(who.password);
  await page.getByRole("button", { name: /^(Sign in|サインイン)$/ }).click();
  await expect(page).toHaveURL(/\/mailboxes/);
}
