import crypto from "node:crypto";
import fs from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { storeTestEmail } from "../integration/emails/store-test-email";
import { db, makeUser, signIn } from "./support/accounts";

// A 1×1 PNG, so the cid image can be checked for actually rendering.
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "base64");
// "Remote" images: intercepted by page.route, so nothing ever leaves the machine.
const REMOTE = "https://images.remote.test";

// The sanitiser drops id attributes, so the test finds things by text, alt and size.
// Each payload would set window.__pwned (in the frame or, through parent, in the page) and mark the body.
const HOSTILE_HTML = `
  <p>Hello reader, the numbers are in.</p>
  <script>window.__pwned = "script"; parent.__pwned = "script"; document.body.setAttribute("data-pwned", "script")</script>
  <img src="x" onerror="window.__pwned='onerror'; parent.__pwned='onerror'; document.body.setAttribute('data-pwned','onerror')">
  <svg><script>window.__pwned = "svg"</script></svg>
  <a href="javascript:parent.__pwned='link'">click</a>
  <img src="${REMOTE}/pixel.png" width="1" height="1">
  <img src="cid:logo@mailroom.test" alt="logo">
  <style>@import url(${REMOTE}/x.css); p { background: url(${REMOTE}/bg.png) }</style>`;

async function mailboxOf(userId: string): Promise<string> {
  const [m] = await db()`select id from mailboxes where user_id = ${userId}`;
  return m.id as string;
}

/** Fails the test if the page or any frame opens a dialog (alert, confirm…). */
function failOnDialog(page: Page) {
  page.on("dialog", (d) => {
    throw new Error(`a dialog opened: ${d.message()}`);
  });
}

test("a member finds a message by subject, reads it safely, shows images on request and downloads an attachment", async ({ page, baseURL }) => {
  const member = await makeUser("member");
  const mailboxId = await mailboxOf(member.id);
  const tag = crypto.randomUUID().slice(0, 8);
  for (let i = 0; i < 3; i++) {
    await storeTestEmail(db(), mailboxId, { from: "news@example.com", to: member.email, subject: `Newsletter ${i} ${tag}`, text: "filler" }, { storedAt: new Date(Date.now() - (i + 2) * 60_000) });
  }
  const pdf = crypto.randomBytes(50_000);
  const { id: emailId } = await storeTestEmail(db(), mailboxId, {
    from: { name: "Quinn Quarterly", address: "quinn@example.com" },
    to: member.email,
    subject: `Quarterly figures ${tag}`,
    text: "Hello reader, the numbers are in.",
    html: HOSTILE_HTML,
    attachments: [
      { filename: "Quarterly report.pdf", content: pdf, contentType: "application/pdf" },
      { filename: "logo.png", content: PNG, contentType: "image/png", cid: "logo@mailroom.test" },
    ],
  });

  await page.addInitScript(() => {
    (window as unknown as { __pwned?: string }).__pwned = undefined;
  });
  failOnDialog(page);
  const remoteRequests: string[] = [];
  const offOrigin: string[] = [];
  page.on("request", (r) => {
    if (r.url().startsWith(REMOTE)) remoteRequests.push(r.url());
    else if (!r.url().startsWith(baseURL!) && !r.url().startsWith("data:")) offOrigin.push(r.url());
  });
  await page.route(`${REMOTE}/**`, (route) => route.fulfill({ status: 200, contentType: "image/png", body: PNG }));

  await signIn(page, member);
  await page.goto(`/mail/${mailboxId}`);
  await expect(page.getByRole("link", { name: `Quarterly figures ${tag}` })).toBeVisible();
  await page.getByRole("searchbox").fill("quarterly FIGURES");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/\?q=quarterly/);
  await expect(page.getByRole("row")).toHaveCount(2); // header + the one match
  await page.getByRole("link", { name: `Quarterly figures ${tag}` }).click();

  await expect(page.getByRole("heading", { name: `Quarterly figures ${tag}` })).toBeVisible();
  await expect(page.getByTestId("mail-headers")).toContainText("Quinn Quarterly <quinn@example.com>");
  const frameEl = page.locator(`iframe[title="Message content"]`);
  await expect(frameEl).toHaveAttribute("sandbox", "");
  const frame = page.frameLocator(`iframe[title="Message content"]`);
  await expect(frame.getByText("Hello reader, the numbers are in.")).toBeVisible();
  // The cid image renders, embedded from the raw source (the sandboxed frame sends no cookies).
  await expect.poll(() => frame.getByAltText("logo").evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1);
  await expect(frame.getByAltText("logo")).toHaveAttribute("src", `data:image/png;base64,${PNG.toString("base64")}`);

  // Nothing ran: not in the page, not in the frame.
  await frame.getByText("click").click().catch(() => {});
  await page.waitForTimeout(500);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined();
  await expect(frame.locator("body")).not.toHaveAttribute("data-pwned", /.*/);
  expect(await frame.locator("script").count()).toBe(0);
  expect(await frame.locator("[onerror]").count()).toBe(0);
  const inFrame = page.frames().find((f) => f.url().includes("/body"));
  expect(inFrame).toBeDefined();
  const frameHook = await inFrame!.evaluate(() => (window as unknown as { __pwned?: string }).__pwned).catch(() => "unreadable (scripts are off)");
  expect(frameHook === undefined || frameHook === "unreadable (scripts are off)").toBe(true);

  // No remote request before the reader asks; the tracker is a placeholder.
  expect(remoteRequests).toEqual([]);
  expect(offOrigin).toEqual([]);
  await expect(frame.locator(`img[width="1"]`)).toHaveAttribute("src", /^data:image\/svg\+xml/);
  await expect(page.getByTestId("images-blocked")).toContainText("remote images were blocked");

  // The body route: strict CSP, nosniff.
  const bodyResponse = await page.request.get(`/mail/${mailboxId}/${emailId}/body`);
  expect(bodyResponse.headers()["content-security-policy"]).toMatch(/default-src 'none'/);
  expect(bodyResponse.headers()["content-security-policy"]).not.toMatch(/script-src|https:/);
  expect(bodyResponse.headers()["x-content-type-options"]).toBe("nosniff");

  // The attachment downloads with its name and exact bytes.
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Quarterly report.pdf" }).click()]);
  expect(download.suggestedFilename()).toBe("Quarterly report.pdf");
  expect(fs.readFileSync(await download.path()).equals(pdf)).toBe(true);
  const pdfHref = await page.getByRole("link", { name: "Quarterly report.pdf" }).getAttribute("href");
  const attachmentResponse = await page.request.get(pdfHref!);
  expect(attachmentResponse.headers()["content-disposition"]).toBe(`attachment; filename="Quarterly report.pdf"; filename*=UTF-8''Quarterly%20report.pdf`);
  expect(attachmentResponse.headers()["content-type"]).toBe("application/pdf");
  expect(attachmentResponse.headers()["x-content-type-options"]).toBe("nosniff");

  // Show images: now the remote image loads (and still nothing runs).
  await page.getByRole("link", { name: "Show images" }).click();
  await expect(page).toHaveURL(/images=1/);
  await expect.poll(() => remoteRequests.some((u) => u.endsWith("/pixel.png"))).toBe(true);
  await expect(frame.locator(`img[width="1"]`)).toHaveAttribute("src", `${REMOTE}/pixel.png`);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined();
  await expect(frame.locator("body")).not.toHaveAttribute("data-pwned", /.*/);
});

test("another member gets 404 for the list, the message, its body and its attachments", async ({ page }) => {
  const owner = await makeUser("member");
  const mailboxId = await mailboxOf(owner.id);
  const { id } = await storeTestEmail(db(), mailboxId, {
    from: "a@example.com",
    subject: "Private",
    html: "<p>private</p>",
    attachments: [{ filename: "p.txt", content: "secret" }],
  });
  await signIn(page, await makeUser("member"));
  for (const url of [`/mail/${mailboxId}`, `/mail/${mailboxId}/${id}`]) {
    expect((await page.goto(url))?.status(), url).toBe(404);
  }
  for (const url of [`/mail/${mailboxId}/${id}/body`, `/mail/${mailboxId}/${id}/attachments/0`]) {
    const res = await page.request.get(url);
    expect(res.status(), url).toBe(404);
    expect(await res.text()).not.toContain("secret");
  }
});

test("unparsed and oversized messages are flagged in the list and on the page", async ({ page }) => {
  const member = await makeUser("member");
  const mailboxId = await mailboxOf(member.id);
  await storeTestEmail(db(), mailboxId, { from: "a@example.com", subject: "Mangled", text: "?" }, { parseError: "bad MIME" });
  const big = await storeTestEmail(db(), mailboxId, { from: "a@example.com", subject: "Enormous", text: "?" }, { oversized: true });
  await signIn(page, member);
  await page.goto(`/mail/${mailboxId}`);
  await expect(page.getByRole("row", { name: /Mangled/ })).toContainText("Could not be parsed");
  await expect(page.getByRole("row", { name: /Enormous/ })).toContainText("Too large — headers only");
  await page.goto(`/mail/${mailboxId}/${big.id}`);
  await expect(page.getByRole("status")).toContainText("only its headers were stored");
});
