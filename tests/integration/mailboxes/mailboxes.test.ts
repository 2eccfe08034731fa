// Mailbox actions other than test & enable, each with each role (SPEC §3, issue 4 "Privileges").
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { mailboxes } from "../../../db/schema/mailboxes";
import { profiles } from "../../../db/schema/profiles";
import { orgSettings } from "../../../db/schema/settings";
import { generateSecretKey } from "../../../lib/crypto/generate-secret-key";
import { openSecret } from "../../../lib/crypto/open-secret";
import { sealContext } from "../../../lib/crypto/seal-context";
import { applyDefaultSettings } from "../../../lib/mailboxes/apply-default-settings";
import { approveMailboxes } from "../../../lib/mailboxes/approve-mailboxes";
import { createQueue } from "../../../lib/mailboxes/create-queue";
import { getMailbox } from "../../../lib/mailboxes/get-mailbox";
import { listMailboxes } from "../../../lib/mailboxes/list-mailboxes";
import { previewDefaultSettings } from "../../../lib/mailboxes/preview-default-settings";
import { setMailboxCredentials } from "../../../lib/mailboxes/set-mailbox-credentials";
import { updateMailbox } from "../../../lib/mailboxes/update-mailbox";
import { updateMailboxes } from "../../../lib/mailboxes/update-mailboxes";
import { createTestDb, type TestDb } from "../../harness/db";
import { makeActors, mailboxRow, makeMailbox, makeProfile, type Actors } from "./fixtures";
import { refusedInEnglish } from "../../harness/english";

vi.stubEnv("MAILROOM_SECRET_KEY", generateSecretKey("test"));

let t: TestDb;
let a: Actors;
let profileId: string;
let profileMode: string;
/** The member's own user mailbox, and a queue they own. */
let own: string;
let ownedQueue: string;
let othersQueue: string;

beforeAll(async () => {
  t = await createTestDb();
  a = await makeActors(t.db);
  profileId = await makeProfile(t.db, { name: "Per mailbox" });
  profileMode = await makeProfile(t.db, { name: "Shared account", credentialMode: "profile", userName: "relay", password: "Relay-Pass-1" });
  [{ id: own }] = await t.db.select({ id: mailboxes.id }).from(mailboxes).where(eq(mailboxes.userId, a.member.id));
  ownedQueue = await makeMailbox(t.db, { name: "Member's queue", ownerId: a.member.id, profileId });
  othersQueue = await makeMailbox(t.db, { name: "Other's queue", ownerId: a.other.id, profileId: profileMode });
});
afterAll(async () => {
  await t?.close();
  vi.unstubAllEnvs();
});

const form = (over: Record<string, string> = {}) => ({
  name: "Support",
  emailAddress: "support@example.com",
  profileId,
  incomingDelivery: "server_side_sync",
  outgoingDelivery: "server_side_sync",
  actDelivery: "none",
  ...over,
});

describe("list and read", () => {
  test("admins and managers see every mailbox; a member only their own and the queues they own; signed out is refused", async () => {
    const all = await listMailboxes(t.db, a.admin, { pageSize: 100 });
    expect(all.items.map((m) => m.id)).toEqual(expect.arrayContaining([own, ownedQueue, othersQueue]));
    expect((await listMailboxes(t.db, a.manager, { pageSize: 100 })).total).toBe(all.total);
    const mine = await listMailboxes(t.db, a.member, { pageSize: 100 });
    expect(mine.items.map((m) => m.id).sort()).toEqual([own, ownedQueue].sort());
    await expect(listMailboxes(t.db, null)).rejects.toMatchObject({ code: "unauthenticated" });
  });

  test("filters (active, unapproved, failing, by profile), search, sort and pages", async () => {
    const failing = await makeMailbox(t.db, { name: "Zeta failing", profileId, incomingStatus: "failure", approved: false });
    const active = await makeMailbox(t.db, { name: "Alpha active", profileId: profileMode, incomingEnabled: true, outgoingStatus: "success" });
    const ids = async (input: Parameters<typeof listMailboxes>[2]) => (await listMailboxes(t.db, a.admin, { pageSize: 100, ...input })).items.map((m) => m.id);
    expect(await ids({ filter: "failing" })).toEqual([failing]);
    expect(await ids({ filter: "active" })).toEqual([active]);
    expect(await ids({ filter: "unapproved" })).toContain(failing);
    expect(await ids({ filter: "unapproved" })).not.toContain(active);
    expect(await ids({ profileId: profileMode })).toEqual(expect.arrayContaining([active, othersQueue]));
    expect(await ids({ profileId: profileMode })).not.toContain(failing);
    expect((await ids({ profileId: "none" })).length).toBeGreaterThanOrEqual(4); // the users' own mailboxes
    expect(await ids({ q: "zeta" })).toEqual([failing]);
    const byName = await listMailboxes(t.db, a.admin, { sort: "name", direction: "desc", pageSize: 2, page: 1 });
    expect(byName.items[0].name).toBe("Zeta failing");
    expect(byName.pageCount).toBe(Math.ceil(byName.total / 2));
    const page2 = await listMailboxes(t.db, a.admin, { sort: "name", direction: "desc", pageSize: 2, page: 2 });
    expect(page2.items.map((m) => m.id)).not.toContain(byName.items[0].id);
    // A member's filters never widen what they see.
    expect(await listMailboxes(t.db, a.member, { filter: "failing" })).toMatchObject({ total: 0 });
    // No view carries the sealed password.
    expect(JSON.stringify(byName.items)).not.toMatch(/password_?sealed/i);
  });

  test("a member opens their own mailbox and queue, not someone else's", async () => {
    const m = await getMailbox(t.db, a.member, { id: ownedQueue });
    expect(m.allowed).toEqual({ write: false, approve: false, test: false, setCredentials: true });
    await expect(getMailbox(t.db, a.member, { id: othersQueue })).rejects.toMatchObject({ code: "not_found" });
    expect((await getMailbox(t.db, a.manager, { id: othersQueue })).allowed).toEqual({ write: true, approve: false, test: true, setCredentials: true });
    expect((await getMailbox(t.db, a.admin, { id: othersQueue })).allowed.approve).toBe(true);
    await expect(getMailbox(t.db, null, { id: own })).rejects.toMatchObject({ code: "unauthenticated" });
  });

  test("an unapproved mailbox says it is waiting for email approval while the org requires approval", async () => {
    const id = await makeMailbox(t.db, { profileId, approved: false });
    expect((await getMailbox(t.db, a.admin, { id })).waitingForApproval).toBe(true);
    await t.db.insert(orgSettings).values({ id: 1, processOnlyApproved: false }).onConflictDoUpdate({ target: orgSettings.id, set: { processOnlyApproved: false } });
    expect((await getMailbox(t.db, a.admin, { id })).waitingForApproval).toBe(false);
    await t.db.update(orgSettings).set({ processOnlyApproved: true }).where(eq(orgSettings.id, 1));
  });
});

describe("queues", () => {
  test("only admins create queues; the owner is a user; the default profile and delivery are applied", async () => {
    await t.db.update(profiles).set({ isDefault: true }).where(eq(profiles.id, profileId));
    try {
      const { id } = await createQueue(t.db, a.admin, { name: "Support", emailAddress: "Support@Example.com", ownerId: a.member.id });
      expect(await mailboxRow(t.db, id)).toMatchObject({ kind: "queue", emailAddress: "support@example.com", ownerId: a.member.id, profileId, incomingDelivery: "server_side_sync", outgoingDelivery: "server_side_sync", actDelivery: "none", approvedAt: null });
      await expect(refusedInEnglish(createQueue(t.db, a.admin, { name: "Dup", emailAddress: "SUPPORT@example.com", ownerId: a.member.id }))).rejects.toMatchObject({ fieldErrors: { emailAddress: [expect.stringMatching(/already uses this address/)] } });
      await expect(refusedInEnglish(createQueue(t.db, a.admin, { name: "", emailAddress: "nope", ownerId: "" }))).rejects.toMatchObject({
        code: "invalid",
        fieldErrors: { name: [expect.any(String)], emailAddress: [expect.stringMatching(/email address/)], ownerId: [expect.any(String)] },
      });
      for (const actor of [a.manager, a.member]) await expect(createQueue(t.db, actor, { name: "Q", emailAddress: "q@example.com", ownerId: a.member.id })).rejects.toMatchObject({ code: "forbidden" });
      await expect(createQueue(t.db, null, { name: "Q", emailAddress: "q@example.com", ownerId: a.member.id })).rejects.toMatchObject({ code: "unauthenticated" });
    } finally {
      await t.db.update(profiles).set({ isDefault: false }).where(eq(profiles.id, profileId));
    }
  });
});

describe("edit one", () => {
  test("admins and managers edit; members (even the owner) and signed-out callers may not", async () => {
    const id = await makeMailbox(t.db, { profileId, ownerId: a.member.id });
    await updateMailbox(t.db, a.manager, { id, ...form({ name: "Renamed", emailAddress: (await mailboxRow(t.db, id)).emailAddress }), ownerId: a.member.id });
    expect((await mailboxRow(t.db, id)).name).toBe("Renamed");
    await expect(updateMailbox(t.db, a.member, { id, ...form() })).rejects.toMatchObject({ code: "forbidden" });
    await expect(updateMailbox(t.db, null, { id, ...form() })).rejects.toMatchObject({ code: "unauthenticated" });
  });

  test("changing the email address withdraws approval; keeping it does not", async () => {
    const id = await makeMailbox(t.db, { profileId, ownerId: a.member.id });
    const before = await mailboxRow(t.db, id);
    await updateMailbox(t.db, a.admin, { id, ...form({ emailAddress: before.emailAddress.toUpperCase() }), ownerId: a.member.id });
    expect((await mailboxRow(t.db, id)).approvedAt).not.toBeNull();
    await updateMailbox(t.db, a.admin, { id, ...form({ emailAddress: "renamed.queue@example.com" }), ownerId: a.member.id });
    expect(await mailboxRow(t.db, id)).toMatchObject({ emailAddress: "renamed.queue@example.com", approvedAt: null, approvedById: null });
  });

  test("a new profile resets what the last test enabled; ACT by server-side sync is refused with the reason", async () => {
    const id = await makeMailbox(t.db, { profileId, ownerId: a.member.id, incomingStatus: "success", outgoingStatus: "success", incomingEnabled: true, outgoingEnabled: true });
    const address = (await mailboxRow(t.db, id)).emailAddress;
    await expect(refusedInEnglish(updateMailbox(t.db, a.admin, { id, ...form({ emailAddress: address, actDelivery: "server_side_sync" }), ownerId: a.member.id }))).rejects.toMatchObject({
      fieldErrors: { actDelivery: [expect.stringMatching(/cannot be synchronised through a POP3\/SMTP, Gmail or Microsoft 365 \(IMAP\/POP3\) profile/)] },
    });
    await expect(refusedInEnglish(updateMailbox(t.db, a.admin, { id, ...form({ emailAddress: address, profileId: "" }), ownerId: a.member.id }))).rejects.toMatchObject({
      fieldErrors: { incomingDelivery: [expect.stringMatching(/needs a server profile/)] },
    });
    await updateMailbox(t.db, a.admin, { id, ...form({ emailAddress: address, profileId: profileMode }), ownerId: a.member.id });
    expect(await mailboxRow(t.db, id)).toMatchObject({ profileId: profileMode, incomingStatus: "not_run", outgoingStatus: "not_run", incomingEnabled: false, outgoingEnabled: false });
  });
});

describe("edit several", () => {
  test("sets the chosen fields on each, keeps the rest; all or nothing; members may not", async () => {
    const x = await makeMailbox(t.db, { profileId, outgoingDelivery: "email_router" });
    const y = await makeMailbox(t.db, { profileId: profileMode, outgoingDelivery: "none" });
    expect(await updateMailboxes(t.db, a.manager, { ids: [x, y], incomingDelivery: "email_router" })).toBe(2);
    expect(await mailboxRow(t.db, x)).toMatchObject({ profileId, incomingDelivery: "email_router", outgoingDelivery: "email_router" });
    expect(await mailboxRow(t.db, y)).toMatchObject({ profileId: profileMode, incomingDelivery: "email_router", outgoingDelivery: "none" });
    await expect(refusedInEnglish(updateMailboxes(t.db, a.admin, { ids: [x, y], profileId, actDelivery: "server_side_sync" }))).rejects.toMatchObject({ code: "invalid", fieldErrors: { actDelivery: [expect.any(String)] } });
    expect((await mailboxRow(t.db, y)).profileId).toBe(profileMode);
    await expect(updateMailboxes(t.db, a.admin, { ids: [x] })).rejects.toMatchObject({ code: "invalid" });
    await expect(updateMailboxes(t.db, a.member, { ids: [x], profileId })).rejects.toMatchObject({ code: "forbidden" });
    await expect(updateMailboxes(t.db, null, { ids: [x], profileId })).rejects.toMatchObject({ code: "unauthenticated" });
  });
});

describe("credentials", () => {
  test("admins and managers set them; the owner too when the profile takes credentials from the mailbox; stored sealed, shown only as set", async () => {
    await setMailboxCredentials(t.db, a.member, { id: ownedQueue, userName: "mo", password: "Mo-Pass-123", secureChannel: true });
    let row = await mailboxRow(t.db, ownedQueue);
    expect(row.userName).toBe("mo");
    expect(row.passwordSealed).not.toContain("Mo-Pass-123");
    expect(openSecret(row.passwordSealed!, sealContext(mailboxes.passwordSealed, row.id))).toBe("Mo-Pass-123");
    expect((await getMailbox(t.db, a.member, { id: ownedQueue })).passwordSet).toBe(true);
    // Blank keeps the password.
    await setMailboxCredentials(t.db, a.manager, { id: ownedQueue, userName: "mo2", password: "", secureChannel: true });
    row = await mailboxRow(t.db, ownedQueue);
    expect(row).toMatchObject({ userName: "mo2" });
    expect(openSecret(row.passwordSealed!, sealContext(mailboxes.passwordSealed, row.id))).toBe("Mo-Pass-123");
    await setMailboxCredentials(t.db, a.admin, { id: ownedQueue, userName: "mo2", password: "", clearPassword: true, secureChannel: true });
    expect((await mailboxRow(t.db, ownedQueue)).passwordSealed).toBeNull();
  });

  test("the owner may not when the profile holds the credentials; another member never; signed out refused", async () => {
    const id = await makeMailbox(t.db, { profileId: profileMode, ownerId: a.member.id });
    await expect(refusedInEnglish(setMailboxCredentials(t.db, a.member, { id, userName: "x", password: "y", secureChannel: true }))).rejects.toMatchObject({ code: "forbidden", text: expect.stringMatching(/profile's own credentials/) });
    await setMailboxCredentials(t.db, a.admin, { id, userName: "x", password: "y", secureChannel: true });
    await expect(setMailboxCredentials(t.db, a.other, { id: ownedQueue, userName: "x", password: "y", secureChannel: true })).rejects.toMatchObject({ code: "not_found" });
    await expect(setMailboxCredentials(t.db, null, { id: ownedQueue, userName: "x", password: "y", secureChannel: true })).rejects.toMatchObject({ code: "unauthenticated" });
  });

  test("refused over plain HTTP unless the deployment allows it", async () => {
    await expect(refusedInEnglish(setMailboxCredentials(t.db, a.admin, { id: ownedQueue, userName: "mo", password: "Secret-1", secureChannel: false }))).rejects.toMatchObject({
      fieldErrors: { password: [expect.stringMatching(/plain HTTP/)] },
    });
  });
});

describe("approve email", () => {
  test("only admins; who and when are recorded", async () => {
    const id = await makeMailbox(t.db, { profileId, approved: false });
    for (const actor of [a.manager, a.member]) await expect(approveMailboxes(t.db, actor, { ids: [id] })).rejects.toMatchObject({ code: "forbidden" });
    await expect(approveMailboxes(t.db, null, { ids: [id] })).rejects.toMatchObject({ code: "unauthenticated" });
    expect(await approveMailboxes(t.db, a.admin, { ids: [id] })).toBe(1);
    const m = await getMailbox(t.db, a.admin, { id });
    expect(m).toMatchObject({ approvedById: a.admin.id, approvedByName: a.admin.name, waitingForApproval: false });
    expect(Date.now() - m.approvedAt!.getTime()).toBeLessThan(60_000);
    expect(await approveMailboxes(t.db, a.admin, { ids: [id] })).toBe(0);
  });
});

describe("apply default email settings", () => {
  test("without a default profile it says where to set one", async () => {
    await expect(refusedInEnglish(previewDefaultSettings(t.db, a.admin, { ids: [ownedQueue] }))).rejects.toMatchObject({ text: expect.stringMatching(/no default server profile/) });
  });

  test("preview shows what changes; apply sets it; admins and managers may, members not", async () => {
    const def = await makeProfile(t.db, { name: "Default one", isDefault: true });
    try {
      const x = await makeMailbox(t.db, { profileId, incomingDelivery: "none", outgoingDelivery: "none", approved: false });
      const y = await makeMailbox(t.db, { profileId: def });
      const preview = await previewDefaultSettings(t.db, a.manager, { ids: [x, y] });
      expect(preview.defaultProfile).toEqual({ id: def, name: "Default one" });
      const px = preview.mailboxes.find((m) => m.id === x)!;
      expect(px).toMatchObject({ changes: true, profile: { from: "Per mailbox", to: "Default one", changes: true }, incomingDelivery: { from: "none", to: "server_side_sync", changes: true } });
      expect(preview.mailboxes.find((m) => m.id === y)).toMatchObject({ changes: false });

      for (const actor of [a.member, a.other]) await expect(applyDefaultSettings(t.db, actor, { ids: [x], testAndEnable: false })).rejects.toMatchObject({ code: "forbidden" });
      await expect(applyDefaultSettings(t.db, null, { ids: [x], testAndEnable: false })).rejects.toMatchObject({ code: "unauthenticated" });
      expect(await applyDefaultSettings(t.db, a.manager, { ids: [x, y], testAndEnable: false })).toEqual({ changed: 1, test: null });
      expect(await mailboxRow(t.db, x)).toMatchObject({ profileId: def, incomingDelivery: "server_side_sync", outgoingDelivery: "server_side_sync", actDelivery: "none" });
      // With test & enable (the default), the mailboxes are tested: this one waits for approval.
      const r = await applyDefaultSettings(t.db, a.admin, { ids: [x], testAndEnable: true });
      expect(r.test).toMatchObject({ kind: "results", results: [{ mailboxId: x, outcome: "waiting_approval" }] });
    } finally {
      await t.db.update(profiles).set({ isDefault: false }).where(eq(profiles.id, def));
    }
  });
});
