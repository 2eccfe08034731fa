// Email-router ingest (issue 16): an admin creates a mailbox's ingest token on its page
// (shown once), then mail is handed in over HTTP with curl and through the CLI
// (`npm run ingest`, as a Postfix pipe would run it); each refusal is a clear 4xx
// and stores nothing; the same message handed in twice is stored once.
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { db, makeUser, signIn } from "./support/accounts";

test.describe.configure({ mode: "serial" });

const root = path.resolve(import.meta.dirname, "../..");
const tag = crypto.randomUUID().slice(0, 6);
let mailboxId: string;
let token: string;
let baseURL: string;

const message = (n: number) =>
  [`From: Router Test <router${n}@example.org>`, `To: inbox${tag}@example.com`, `Subject: handed in ${tag} ${n}`, `Date: Tue, 01 Dec 2026 10:00:00 +0000`, `Message-ID: <r${n}.${tag}@example.org>`, ``, `Body ${n}`, ``].join("\r\n");

/** curl as an operator would run it: status code and JSON body. */
async function curl(args: string[], input: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const child = spawn("curl", ["-s", "-w", "\n%{http_code}", "-X", "POST", "--data-binary", "@-", "-H", "content-type: message/rfc822", ...args]);
  child.stdin.end(input);
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  await new Promise((r) => child.on("close", r));
  const nl = out.lastIndexOf("\n");
  return { status: Number(out.slice(nl + 1)), body: JSON.parse(out.slice(0, nl) || "{}") };
}

/** `npm run ingest -- --mailbox <id> < message` (the script npm runs), with the token in its environment. */
async function cli(mailbox: string, input: string, tokenValue = token, url = baseURL): Promise<{ code: number; out: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/ingest.ts", "--mailbox", mailbox], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", NODE_ENV: "production", MAILROOM_INGEST_URL: url, MAILROOM_INGEST_TOKEN: tokenValue },
  });
  child.stdin.end(input);
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const code = await new Promise<number>((r) => child.on("close", (c) => r(c ?? -1)));
  return { code, out };
}

const storedCount = async () => Number((await db()`select count(*)::int as n from emails where mailbox_id = ${mailboxId}`)[0].n);

test.beforeAll(async () => {
  const owner = await makeUser("member", `Router owner ${tag}`);
  const [m] = await db()`insert into mailboxes (kind, name, email_address, owner_id, incoming_delivery) values ('queue', ${`Router ${tag}`}, ${`inbox${tag}@example.com`}, ${owner.id}, 'email_router') returning id`;
  mailboxId = m.id as string;
});

test("an admin creates the ingest token on the mailbox page; it is shown once", async ({ page, baseURL: base }) => {
  baseURL = base!;
  const admin = await makeUser("admin");
  await signIn(page, admin);
  await page.goto(`/mailboxes/${mailboxId}`);
  const panel = page.getByTestId("ingest-panel");
  await expect(panel.getByTestId("ingest-token-state")).toHaveText("No token: nothing can be handed in yet.");
  await panel.getByRole("button", { name: "Create token" }).click();
  token = (await panel.getByTestId("ingest-token").textContent())!;
  expect(token).toMatch(/^mri_/);
  await page.reload();
  await expect(panel.getByTestId("ingest-token-state")).toContainText("A token is set");
  await expect(page.locator("body")).not.toContainText(token);
});

test("curl: 202 with the stored id; the same message again gives the same id and is stored once", async () => {
  const first = await curl(["-H", `authorization: Bearer ${token}`, `${baseURL}/api/ingest/${mailboxId}`], message(1));
  expect(first).toMatchObject({ status: 202, body: { id: expect.any(Number), duplicate: false } });
  const again = await curl(["-H", `authorization: Bearer ${token}`, `${baseURL}/api/ingest/${mailboxId}`], message(1));
  expect(again).toMatchObject({ status: 202, body: { id: first.body.id, duplicate: true } });
  const rows = await db()`select id, subject from emails where mailbox_id = ${mailboxId}`;
  expect(rows.map((r) => ({ id: Number(r.id), subject: r.subject }))).toEqual([{ id: first.body.id, subject: `handed in ${tag} 1` }]);
});

test("curl: each refusal is a clear 4xx with a code and stores nothing", async () => {
  const before = await storedCount();
  const url = `${baseURL}/api/ingest/${mailboxId}`;
  const bearer = ["-H", `authorization: Bearer ${token}`];
  expect(await curl(["-H", "authorization: Bearer mri_wrong", url], message(2))).toMatchObject({ status: 401, body: { error: "bad_token", message: expect.stringContaining("token is missing or wrong") } });
  expect(await curl([url], message(2))).toMatchObject({ status: 401, body: { error: "bad_token" } });
  expect(await curl([...bearer, `${baseURL}/api/ingest/${crypto.randomUUID()}`], message(2))).toMatchObject({ status: 404, body: { error: "unknown_mailbox" } });
  expect(await curl([...bearer, url], "just some text, no headers\r\n")).toMatchObject({ status: 422, body: { error: "not_a_message" } });
  // Over MAILROOM_MAX_MESSAGE_BYTES (50 MB by default): refused from the declared length, before the body is read.
  expect(await curl([...bearer, "-H", "content-length: 60000000", "--max-time", "20", url], "x")).toMatchObject({ status: 413, body: { error: "too_large" } });
  // A mailbox that is not an email-router mailbox, even with a token of its own.
  const [other] = await db()`insert into mailboxes (kind, name, email_address, incoming_delivery, ingest_token_hash) values ('queue', ${`Synced ${tag}`}, ${`synced${tag}@example.com`}, 'server_side_sync',
    encode(sha256(convert_to(${"mri_other" + tag}, 'UTF8')), 'hex')) returning id`;
  expect(await curl(["-H", `authorization: Bearer mri_other${tag}`, `${baseURL}/api/ingest/${other.id}`], message(2))).toMatchObject({ status: 409, body: { error: "not_router" } });
  expect(await storedCount()).toBe(before);
  expect(Number((await db()`select count(*)::int as n from emails where mailbox_id = ${other.id}`)[0].n)).toBe(0);
});

test("the CLI stores from standard input, exits 0, and says 'bounce' or 'retry' through sysexits codes", async () => {
  const ok = await cli(mailboxId, message(3));
  expect(ok.code).toBe(0);
  expect(JSON.parse(ok.out.trim())).toMatchObject({ duplicate: false });
  expect((await cli(mailboxId, message(3))).out).toContain('"duplicate":true');
  expect(await storedCount()).toBe(2);

  expect(await cli(mailboxId, message(4), "mri_wrong")).toMatchObject({ code: 77 });
  expect(await cli(crypto.randomUUID(), message(4))).toMatchObject({ code: 67 });
  expect(await cli(mailboxId, "not a message\r\n")).toMatchObject({ code: 65, out: expect.stringContaining("422: The body is not an email message") });
  expect(await storedCount()).toBe(2);
  // The app unreachable: temporary failure, so the mail server keeps the message and retries.
  const down = await cli(mailboxId, message(4), token, "http://127.0.0.1:9");
  expect(down.code).toBe(75);
});

test("revoking the token on the page refuses the next hand-in", async ({ page }) => {
  const admin = await makeUser("admin");
  await signIn(page, admin);
  await page.goto(`/mailboxes/${mailboxId}`);
  await page.getByTestId("ingest-panel").getByRole("button", { name: "Revoke token" }).click();
  await expect(page.getByText("Token revoked")).toBeVisible();
  expect((await cli(mailboxId, message(5))).code).toBe(77);
});
