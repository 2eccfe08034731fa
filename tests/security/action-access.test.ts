// Access to every server action × admin, mailbox manager, member who owns the mailbox,
// member who does not, and a signed-out caller. The actions are discovered from the source
// (tests/security/support/discover.ts): an action without an entry here fails the suite.
// Each entry calls the domain function that the action calls (the actions are thin: they
// pass the actor from the session straight through, see lib/server/action.ts), with input
// that is valid, so the only reason for a refusal is who is asking.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { alerts } from "../../db/schema/alerts";
import { markAlertsRead } from "../../lib/alerts/mark-alerts-read";
import type { Actor } from "../../lib/auth/actor";
import { roleHas, type Privilege, type Role } from "../../lib/auth/privileges";
import { generateSecretKey } from "../../lib/crypto/generate-secret-key";
import { AppError } from "../../lib/errors";
import { applyDefaultSettings } from "../../lib/mailboxes/apply-default-settings";
import { approveMailboxes } from "../../lib/mailboxes/approve-mailboxes";
import { createQueue } from "../../lib/mailboxes/create-queue";
import { setMailboxCredentials } from "../../lib/mailboxes/set-mailbox-credentials";
import { testAndEnableMailboxes } from "../../lib/mailboxes/test-and-enable-mailboxes";
import { updateMailbox } from "../../lib/mailboxes/update-mailbox";
import { updateMailboxes } from "../../lib/mailboxes/update-mailboxes";
import { queueEmail } from "../../lib/outbox/queue-email";
import { enqueueTestAllJob } from "../../lib/jobs/enqueue-test-all-job";
import { disconnectMailbox } from "../../lib/oauth/disconnect-mailbox";
import { createProfile } from "../../lib/profiles/create-profile";
import { deleteProfile } from "../../lib/profiles/delete-profile";
import { updateProfile } from "../../lib/profiles/update-profile";
import { updateOrgSettings } from "../../lib/settings/update-org-settings";
import { requestSyncNow } from "../../lib/sync/request-sync-now";
import { createFirstAdmin } from "../../lib/users/create-first-admin";
import { createUser } from "../../lib/users/create-user";
import { updateUser } from "../../lib/users/update-user";
import { createTestDb, type TestDb } from "../harness/db";
import { makeActor, makeMailbox, makeProfile } from "../integration/mailboxes/fixtures";
import { discoverServerActions } from "./support/discover";

vi.stubEnv("MAILROOM_SECRET_KEY", generateSecretKey("acc"));

export type Who = "admin" | "manager" | "owner" | "other" | "signedOut";
const everyone: Who[] = ["admin", "manager", "owner", "other", "signedOut"];
type Outcome = "allowed" | "refused";
const roleOf: Record<Exclude<Who, "signedOut">, Role> = { admin: "admin", manager: "mailbox_manager", owner: "member", other: "member" };

/** What lib/auth/privileges.ts says for `privilege`: allowed for the roles holding it, refused for the rest and for signed-out callers. */
function byPrivilege(privilege: Privilege): Record<Who, Outcome> {
  return Object.fromEntries(everyone.map((w) => [w, w !== "signedOut" && roleHas(roleOf[w], privilege) ? "allowed" : "refused"])) as Record<Who, Outcome>;
}
/** `privilege`, or being the mailbox's owner (a member who owns it is allowed, one who does not is refused). */
function ownerOr(privilege: Privilege, ownerNeeds: Privilege): Record<Who, Outcome> {
  return { ...byPrivilege(privilege), owner: roleHas("member", ownerNeeds) ? "allowed" : "refused" };
}

type Ctx = {
  t: TestDb;
  actors: Record<Exclude<Who, "signedOut">, Actor>;
  /** A queue owned by `owner`, on a profile with credentials per mailbox, outgoing enabled. */
  ownedMailboxId: string;
  profileId: string;
  n: () => number;
};
type Case = {
  what: string;
  expected: Record<Who, Outcome>;
  /** Makes what the call needs (outside the "nothing changed" check); its result is `made`. */
  prepare?: (c: Ctx) => Promise<string>;
  call: (c: Ctx, actor: Actor | null, made: string) => Promise<unknown>;
  signedOutCode?: AppError["code"];
};
/** A public action: the reason it needs no privilege, and the test that covers it. */
type Public = { public: string };

const profileValues = (n: number) => ({
  name: `Access profile ${n}`,
  serverType: "pop3smtp",
  incomingProtocol: "imap",
  incomingHost: "127.0.0.1",
  outgoingHost: "127.0.0.1",
  credentialMode: "mailbox",
  incomingPort: "1",
  outgoingPort: "1",
  incomingTls: "on",
  minPollingIntervalMinutes: "5",
});

const table: Record<string, Case[] | Public> = {
  "app/(app)/alerts/actions.ts#markAlertsReadAction": [
    { what: "mark own alerts read", expected: byPrivilege("alert:read-own"), call: (c, a) => markAlertsRead(c.t.db, a, { all: "mine" }) },
    { what: "mark everyone's alerts read", expected: byPrivilege("alert:read-all"), call: (c, a) => markAlertsRead(c.t.db, a, { all: "all" }) },
    { what: "mark a mailbox's wall read", expected: ownerOr("mailbox:read", "mailbox:read-own"), call: (c, a) => markAlertsRead(c.t.db, a, { mailboxId: c.ownedMailboxId }) },
  ],
  "app/(app)/compose/[mailboxId]/actions.ts#sendEmailAction": [
    // Owners and mailbox:write may send (lib/outbox/find-sendable-mailbox.ts).
    { what: "queue an email", expected: ownerOr("mailbox:write", "mailbox:read-own"), call: (c, a) => queueEmail(c.t.db, a, { mailboxId: c.ownedMailboxId, to: "rcpt@example.net", subject: `s ${c.n()}`, body: "hello" }) },
  ],
  "app/(app)/mailboxes/actions.ts#applyDefaultsAction": [
    { what: "apply defaults", expected: byPrivilege("mailbox:write"), call: (c, a) => applyDefaultSettings(c.t.db, a, { ids: [c.ownedMailboxId], testAndEnable: false }) },
    { what: "apply defaults and test", expected: byPrivilege("mailbox:test"), call: (c, a) => applyDefaultSettings(c.t.db, a, { ids: [c.ownedMailboxId], testAndEnable: true }) },
  ],
  "app/(app)/mailboxes/actions.ts#approveAction": [
    { what: "approve", expected: byPrivilege("mailbox:approve"), call: (c, a) => approveMailboxes(c.t.db, a, { ids: [c.ownedMailboxId] }) },
  ],
  "app/(app)/mailboxes/actions.ts#createQueueAction": [
    { what: "create a queue", expected: byPrivilege("queue:create"), call: (c, a) => createQueue(c.t.db, a, { name: `Queue ${c.n()}`, emailAddress: `q${c.n()}@example.com`, ownerId: c.actors.owner.id }) },
  ],
  "app/(app)/mailboxes/actions.ts#selectionAction": [
    { what: "selection: approve", expected: byPrivilege("mailbox:approve"), call: (c, a) => approveMailboxes(c.t.db, a, { ids: [c.ownedMailboxId] }) },
    { what: "selection: test & enable", expected: byPrivilege("mailbox:test"), call: (c, a) => testAndEnableMailboxes(c.t.db, a, { ids: [c.ownedMailboxId] }) },
  ],
  "app/(app)/mailboxes/actions.ts#setCredentialsAction": [
    // mailbox:write, or the owner when the profile takes credentials from the mailbox.
    { what: "set credentials", expected: ownerOr("mailbox:write", "mailbox:read-own"), call: (c, a) => setMailboxCredentials(c.t.db, a, { id: c.ownedMailboxId, userName: "owner-login", password: `pw-${c.n()}`, secureChannel: true }) },
  ],
  "app/(app)/mailboxes/actions.ts#testEnableAction": [
    { what: "test & enable", expected: byPrivilege("mailbox:test"), call: (c, a) => testAndEnableMailboxes(c.t.db, a, { ids: [c.ownedMailboxId] }) },
  ],
  "app/(app)/mailboxes/actions.ts#updateMailboxAction": [
    {
      what: "edit a mailbox",
      expected: byPrivilege("mailbox:write"),
      call: (c, a) => updateMailbox(c.t.db, a, { id: c.ownedMailboxId, name: `Owned queue ${c.n()}`, emailAddress: "owned.queue@example.com", ownerId: c.actors.owner.id, profileId: c.profileId, incomingDelivery: "server_side_sync", outgoingDelivery: "server_side_sync", actDelivery: "none" }),
    },
  ],
  "app/(app)/mailboxes/[id]/sync-actions.ts#syncNowAction": [
    // The owner, or mailbox:write (lib/sync/request-sync-now.ts).
    {
      what: "sync now",
      expected: ownerOr("mailbox:write", "mailbox:read-own"),
      // Other entries disable incoming (test & enable against a closed port) and withdraw approval (a new address); sync now needs both.
      prepare: async (c) => (await c.t.db.execute(sql`update mailboxes set incoming_enabled = true, incoming_status = 'success', approved_at = now() where id = ${c.ownedMailboxId}`), ""),
      call: (c, a) => requestSyncNow(c.t.db, a, { mailboxId: c.ownedMailboxId }),
    },
  ],
  "app/(app)/mailboxes/[id]/oauth-actions.ts#disconnectOAuthAction": [
    // The owner, or mailbox:write (lib/oauth/load-sign-in-target.ts); tokens are revoked and deleted.
    { what: "disconnect OAuth", expected: ownerOr("mailbox:write", "mailbox:read-own"), call: (c, a) => disconnectMailbox(c.t.db, a, { mailboxId: c.ownedMailboxId }) },
  ],
  "app/(app)/profiles/actions.ts#testAllMailboxesAction": [
    { what: "test & enable all of a profile", expected: byPrivilege("mailbox:test"), call: (c, a) => enqueueTestAllJob(c.t.db, a, { profileId: c.profileId }) },
  ],
  "app/(app)/mailboxes/actions.ts#updateMailboxesAction": [
    { what: "edit several", expected: byPrivilege("mailbox:write"), call: (c, a) => updateMailboxes(c.t.db, a, { ids: [c.ownedMailboxId], profileId: c.profileId, incomingDelivery: "", outgoingDelivery: "", actDelivery: "" }) },
  ],
  "app/(app)/profiles/actions.ts#createProfileAction": [
    { what: "create a profile", expected: byPrivilege("profile:write"), call: (c, a) => createProfile(c.t.db, a, { values: profileValues(c.n()), secureChannel: true }) },
  ],
  "app/(app)/profiles/actions.ts#deleteProfileAction": [
    { what: "delete a profile", expected: byPrivilege("profile:write"), prepare: (c) => makeProfile(c.t.db), call: (c, a, id) => deleteProfile(c.t.db, a, { id }) },
  ],
  "app/(app)/profiles/actions.ts#updateProfileAction": [
    { what: "edit a profile", expected: byPrivilege("profile:write"), call: (c, a) => updateProfile(c.t.db, a, { id: c.profileId, values: profileValues(c.n()), secureChannel: true }) },
  ],
  "app/(app)/settings/actions.ts#updateSettingsAction": [
    {
      what: "org settings",
      expected: byPrivilege("settings:write"),
      call: (c, a) => updateOrgSettings(c.t.db, a, { values: { defaultProfileId: c.profileId, incomingDelivery: "server_side_sync", outgoingDelivery: "server_side_sync", actDelivery: "none", processOnlyApproved: "on" } }),
    },
  ],
  "app/(app)/users/actions.ts#createUserAction": [
    { what: "create a user", expected: byPrivilege("user:admin"), call: (c, a) => createUser(c.t.db, a, { email: `new${c.n()}@example.com`, name: "New", password: "Quiet-Harbour-8812", role: "member" }) },
  ],
  "app/(app)/users/actions.ts#updateUserAction": [
    { what: "edit a user", expected: byPrivilege("user:admin"), call: (c, a) => updateUser(c.t.db, a, { id: c.actors.other.id, name: `Other ${c.n()}`, role: "member", active: true, password: "" }) },
  ],
  "app/setup/actions.ts#setupAction": [
    // Public by design, but only while there is no user at all: refused for everyone here.
    { what: "first-run setup", expected: { admin: "refused", manager: "refused", owner: "refused", other: "refused", signedOut: "refused" }, signedOutCode: "forbidden", call: (c) => createFirstAdmin(c.t.db, { email: `late${c.n()}@example.com`, name: "Late", password: "Quiet-Harbour-8812" }) },
  ],
  "app/(app)/sign-out-action.ts#signOutAction": { public: "ends the caller's own session; nothing to protect (tests/e2e/roles.spec.ts signs out)" },
  "app/locale/actions.ts#setLocale": { public: "sets the caller's language cookie only (tests/e2e/locale.spec.ts)" },
  "app/sign-in/actions.ts#signInAction": { public: "signing in; rate-limited (tests/integration/users/users.test.ts, tests/e2e/sign-in-limit.spec.ts)" },
};

let c: Ctx;
let counter = 0;
beforeAll(async () => {
  const t = await createTestDb();
  const [admin, manager, owner, other] = [await makeActor(t.db, "admin"), await makeActor(t.db, "mailbox_manager"), await makeActor(t.db, "member"), await makeActor(t.db, "member")];
  const profileId = await makeProfile(t.db, { incomingPort: 1, outgoingPort: 1 });
  const ownedMailboxId = await makeMailbox(t.db, { ownerId: owner.id, profileId, outgoingEnabled: true, outgoingStatus: "success", incomingEnabled: true, incomingStatus: "success" });
  c = { t, actors: { admin, manager, owner, other }, ownedMailboxId, profileId, n: () => ++counter };
  // "Apply default settings" needs an org default profile.
  await updateOrgSettings(t.db, admin, { values: { defaultProfileId: profileId, incomingDelivery: "server_side_sync", outgoingDelivery: "server_side_sync", actDelivery: "none", processOnlyApproved: "on" } });
});
afterAll(async () => {
  await c?.t.close();
  vi.unstubAllEnvs();
});

/** A digest of every table a refused call could have changed. */
async function fingerprint(): Promise<string> {
  const tables = ["users", "profiles", "mailboxes", "org_settings", "outbox", "alerts", "jobs"];
  const parts: string[] = [];
  for (const table of tables) {
    const [r] = await c.t.db.execute<{ d: string }>(sql.raw(`select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as d from ${table} x`));
    parts.push(`${table}:${r.d}`);
  }
  return parts.join(" ");
}

test("every server action in the code has an entry in the expectation table, and every entry is a real action", () => {
  const discovered = discoverServerActions();
  expect(discovered.length).toBeGreaterThanOrEqual(15);
  expect(discovered.filter((a) => !(a in table)), "actions without an access expectation").toEqual([]);
  expect(Object.keys(table).filter((k) => !discovered.includes(k)), "entries for actions that no longer exist").toEqual([]);
});

describe.each(Object.entries(table).filter((e): e is [string, Case[]] => Array.isArray(e[1])))("%s", (_action, cases) => {
  test.each(cases.flatMap((k) => everyone.map((who) => ({ ...k, who, outcome: k.expected[who] }))))("$what as $who → $outcome", async ({ who, outcome, call, prepare, signedOutCode }) => {
    // Leave the alerts unread so "mark read" has something to change for those allowed.
    await c.t.db.insert(alerts).values(Object.values(c.actors).map((a) => ({ severity: "information" as const, mailboxId: c.ownedMailboxId, recipientId: a.id, dedupKey: `acc:${c.n()}`, title: "t", message: "m" })));
    const actor = who === "signedOut" ? null : c.actors[who];
    const made = prepare ? await prepare(c) : "";
    const before = await fingerprint();
    let error: unknown;
    try {
      await call(c, actor, made);
    } catch (err) {
      error = err;
    }
    if (outcome === "allowed") {
      expect(error, `allowed for ${who} but refused`).toBeUndefined();
    } else {
      expect(error, `refused for ${who}`).toBeInstanceOf(AppError);
      expect(["unauthenticated", "forbidden", "not_found"]).toContain((error as AppError).code);
      if (who === "signedOut") expect((error as AppError).code).toBe(signedOutCode ?? "unauthenticated");
      expect(await fingerprint(), "a refused call changed nothing").toBe(before);
    }
  });
});
