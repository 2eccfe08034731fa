// Access to every server action × admin, mailbox manager, member who owns the mailbox,
// member who does not, and a signed-out caller. The actions are discovered from the source
// (tests/security/support/discover.ts): an action without an entry here fails the suite.
//
// Each case calls the exported action itself with a FormData, as a form post would, so
// everything of ours on the way runs: the action, runAction, the session lookup (getActor,
// loading the user from the database) and the domain function with its privilege check.
// The one seam is next-auth's session (lib/server/auth.ts): it answers with the user of
// the case, or no session. Next's request-scoped APIs (cookies, headers, revalidatePath) do
// not exist outside a request; they are stubbed with plain values (a request from
// 127.0.0.1 over HTTP, stamped as the web server does, English) and the revalidations
// recorded.
//
// The expected outcomes are SPEC's role table ("Who uses it"), written out below; they are
// deliberately not read from lib/auth/privileges.ts, which would let a wrong table agree
// with itself. Input is valid, so the only reason for a refusal is who is asking.
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import postgres from "postgres";
import { alerts } from "../../db/schema/alerts";
import type { Actor } from "../../lib/auth/actor";
import { generateSecretKey } from "../../lib/crypto/generate-secret-key";
import type { ActionState } from "../../lib/server/action-state";
import { stampForwardedHeaders } from "../../lib/server/stamp-forwarded-headers";
import { updateOrgSettings } from "../../lib/settings/update-org-settings";
import { createTestDb, type TestDb } from "../harness/db";
import { storeUnparsedEmail } from "../integration/emails/store-unparsed-email";
import { makeActor, makeMailbox, makeProfile } from "../integration/mailboxes/fixtures";
import { discoverServerActions, root } from "./support/discover";

const session = vi.hoisted(() => ({ userId: null as string | null, version: 0 }));
vi.mock("@/lib/server/auth", () => ({
  auth: async () => (session.userId ? { user: { id: session.userId }, sessionVersion: session.version, expires: new Date(Date.now() + 3_600_000).toISOString() } : null),
  signIn: async () => {},
  signOut: async () => {},
  handlers: {},
}));
const revalidated = vi.hoisted(() => [] as string[]);
vi.mock("next/cache", () => ({
  revalidatePath: (p: string) => void revalidated.push(p),
  revalidateTag: (t: string) => void revalidated.push(`tag:${t}`),
}));
const request = vi.hoisted(() => ({ headers: new Headers() }));
vi.mock("next/headers", () => ({
  headers: async () => request.headers,
  // getActor reads the session cookie before asking next-auth (it remembers decoded cookies), so
  // the case's caller carries one naming who they are: a new caller is a new cookie, never a memo hit.
  cookies: async () => {
    const jar = session.userId ? [{ name: "authjs.session-token", value: `${session.userId}.${session.version}` }] : [];
    return { get: (n: string) => jar.find((c) => c.name === n), getAll: () => jar, has: (n: string) => jar.some((c) => c.name === n), set: () => {}, delete: () => {} };
  },
}));

vi.stubEnv("MAILROOM_SECRET_KEY", generateSecretKey("acc"));

export type Who = "admin" | "manager" | "owner" | "other" | "signedOut";
const everyone: Who[] = ["admin", "manager", "owner", "other", "signedOut"];
type Outcome = "allowed" | "refused";
type Row = Record<Who, Outcome>;
const row = (allowed: Who[]): Row => Object.fromEntries(everyone.map((w) => [w, allowed.includes(w) ? "allowed" : "refused"])) as Row;

/**
 * SPEC "Who uses it":
 * | admin | everything: profiles, org email settings, all mailboxes, approve email, test & enable, users and roles, all alerts |
 * | mailbox manager | read and write mailboxes (profile, delivery methods, credentials), test & enable; read profiles; cannot approve email or change org settings |
 * | member | sign in, see own mailbox(es) and the queues they own, their mail, send from them, their own alerts; set the credentials of their own mailbox when the profile takes credentials from the user or queue |
 * `owner` is a member who owns the mailbox of the case, `other` a member who does not.
 */
const SPEC = {
  /** Profiles, org email settings, approving email, users and roles, all alerts. Creating a queue too: SPEC gives managers "read and write mailboxes", not creating them (README: admins create queues). */
  adminOnly: row(["admin"]),
  /** Writing mailboxes (profile, delivery methods, credentials) and test & enable. */
  mailboxWriters: row(["admin", "manager"]),
  /** The member's own mailbox: its alerts, sending from it, its credentials, syncing it — and everyone who writes mailboxes. */
  ownerOrMailboxWriters: row(["admin", "manager", "owner"]),
  /** Their own alerts. */
  everyoneSignedIn: row(["admin", "manager", "owner", "other"]),
  /** First-run setup once a user exists. */
  nobody: row([]),
};

type Ctx = {
  t: TestDb;
  actors: Record<Exclude<Who, "signedOut">, Actor>;
  /** A queue owned by `owner`, on a profile with credentials per mailbox, outgoing enabled. */
  ownedMailboxId: string;
  profileId: string;
  n: () => number;
};
type Fields = Record<string, string | string[]>;
type Case = {
  what: string;
  expected: Row;
  /** The posted form. `made` is what `prepare` returned; `who` the caller. */
  form: (c: Ctx, made: string, who: Who) => Fields;
  /** For an action called with plain arguments (a picker's search), not a form: those arguments. */
  args?: (c: Ctx) => unknown[];
  /** Makes what the call needs (outside the "nothing changed" check). */
  prepare?: (c: Ctx) => Promise<string>;
  /** The refusal code for a signed-out caller (default unauthenticated). */
  signedOutCode?: NonNullable<ActionState["code"]>;
  /** For an action that answers only by where it sends the browser: allowed or refused, by that. */
  judge?: (r: Posted) => Outcome;
};
/** A public action: the reason it needs no privilege, and the test that covers it. */
type Public = { public: string };

const profileForm = (n: number): Fields => ({
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
const settingsForm = (c: Ctx): Fields => ({ defaultProfileId: c.profileId, incomingDelivery: "server_side_sync", outgoingDelivery: "server_side_sync", actDelivery: "none", processOnlyApproved: "on" });
// Other entries disable incoming (test & enable against a closed port) and withdraw approval (a new address); sync now needs both.
const syncable = async (c: Ctx) => (await c.t.db.execute(sql`update mailboxes set incoming_enabled = true, incoming_status = 'success', approved_at = now() where id = ${c.ownedMailboxId}`), "");

/** A message stored raw and flagged as unparsed in the owned mailbox (what "parse again" works on); returns its id. */
const unparsedEmail = async (c: Ctx) => {
  const client = postgres(c.t.url, { max: 1, onnotice: () => {} });
  try {
    return String((await storeUnparsedEmail(client, c.ownedMailboxId, { subject: `quarantined ${c.n()}` })).id);
  } finally {
    await client.end();
  }
};

const table: Record<string, Case[] | Public> = {
  "app/(app)/alerts/actions.ts#markAlertsReadAction": [
    { what: "mark own alerts read", expected: SPEC.everyoneSignedIn, form: () => ({ all: "mine" }) },
    { what: "mark everyone's alerts read", expected: SPEC.adminOnly, form: () => ({ all: "all" }) },
    { what: "mark a mailbox's wall read", expected: SPEC.ownerOrMailboxWriters, form: (c) => ({ mailboxId: c.ownedMailboxId }) },
  ],
  "app/(app)/compose/[mailboxId]/actions.ts#sendEmailAction": [
    { what: "queue an email", expected: SPEC.ownerOrMailboxWriters, form: (c) => ({ mailboxId: c.ownedMailboxId, to: "rcpt@example.net", subject: `s ${c.n()}`, body: "hello" }) },
  ],
  "app/(app)/mailboxes/[id]/folder-actions.ts#listServerFoldersAction": [
    {
      what: "list the server's folders",
      expected: SPEC.mailboxWriters,
      form: (c) => ({ mailboxId: c.ownedMailboxId }),
      // The profile points at a closed port: a writer is let through to the server and told it refused ("invalid").
      judge: (r) => (r.state && (r.state.ok || r.state.code === "invalid") ? "allowed" : "refused"),
    },
  ],
  "app/(app)/mailboxes/[id]/folder-actions.ts#saveFoldersAction": [
    { what: "choose folders besides INBOX", expected: SPEC.mailboxWriters, form: (c) => ({ mailboxId: c.ownedMailboxId, folders: [`Archive ${c.n()}`] }) },
  ],
  "app/(app)/mailboxes/[id]/ingest-actions.ts#createIngestTokenAction": [
    { what: "create an ingest token", expected: SPEC.mailboxWriters, form: (c) => ({ mailboxId: c.ownedMailboxId }) },
  ],
  "app/(app)/mailboxes/[id]/ingest-actions.ts#revokeIngestTokenAction": [
    { what: "revoke the ingest token", expected: SPEC.mailboxWriters, form: (c) => ({ mailboxId: c.ownedMailboxId }) },
  ],
  "app/(app)/mailboxes/[id]/sync-actions.ts#syncNowAction": [
    { what: "sync now", expected: SPEC.ownerOrMailboxWriters, prepare: syncable, form: (c) => ({ mailboxId: c.ownedMailboxId }) },
  ],
  "app/(app)/mailboxes/actions.ts#applyDefaultsAction": [
    { what: "apply defaults", expected: SPEC.mailboxWriters, form: (c) => ({ ids: [c.ownedMailboxId] }) },
    { what: "apply defaults and test", expected: SPEC.mailboxWriters, form: (c) => ({ ids: [c.ownedMailboxId], testAndEnable: "on" }) },
  ],
  "app/(app)/mailboxes/actions.ts#approveAction": [{ what: "approve", expected: SPEC.adminOnly, form: (c) => ({ ids: [c.ownedMailboxId] }) }],
  "app/(app)/mailboxes/actions.ts#createQueueAction": [
    { what: "create a queue", expected: SPEC.adminOnly, form: (c) => ({ name: `Queue ${c.n()}`, emailAddress: `q${c.n()}@example.com`, ownerId: c.actors.owner.id }) },
  ],
  "app/(app)/mailboxes/actions.ts#selectionAction": [
    { what: "selection: approve", expected: SPEC.adminOnly, form: (c) => ({ op: "approve", ids: [c.ownedMailboxId] }) },
    { what: "selection: test & enable", expected: SPEC.mailboxWriters, form: (c) => ({ op: "test", ids: [c.ownedMailboxId] }) },
  ],
  "app/(app)/mailboxes/actions.ts#setCredentialsAction": [
    // The profile takes credentials from the mailbox, so its owner may set them.
    { what: "set credentials", expected: SPEC.ownerOrMailboxWriters, form: (c) => ({ id: c.ownedMailboxId, userName: "owner-login", password: `pw-${c.n()}` }) },
  ],
  "app/(app)/mailboxes/actions.ts#testEnableAction": [{ what: "test & enable", expected: SPEC.mailboxWriters, form: (c) => ({ ids: [c.ownedMailboxId] }) }],
  "app/(app)/mailboxes/actions.ts#updateMailboxAction": [
    {
      what: "edit a mailbox",
      expected: SPEC.mailboxWriters,
      form: (c) => ({ id: c.ownedMailboxId, name: `Owned queue ${c.n()}`, emailAddress: "owned.queue@example.com", ownerId: c.actors.owner.id, profileId: c.profileId, incomingDelivery: "server_side_sync", outgoingDelivery: "server_side_sync", actDelivery: "none" }),
    },
  ],
  "app/(app)/mailboxes/actions.ts#updateMailboxesAction": [
    { what: "edit several", expected: SPEC.mailboxWriters, form: (c) => ({ ids: [c.ownedMailboxId], profileId: c.profileId, incomingDelivery: "", outgoingDelivery: "", actDelivery: "" }) },
  ],
  "app/(app)/mailboxes/[id]/oauth-actions.ts#disconnectOAuthAction": [
    // Returns nothing: done, it opens the mailbox with the outcome; refused, the mailbox list.
    { what: "disconnect OAuth", expected: SPEC.ownerOrMailboxWriters, form: (c) => ({ mailboxId: c.ownedMailboxId }), judge: (r) => (r.redirectedTo?.startsWith(`/mailboxes/`) ? "allowed" : "refused") },
  ],
  "app/(app)/profiles/discover-action.ts#discoverSettingsAction": [
    // A provider on the bundled list: answered without the network.
    { what: "find a profile's settings from an address", expected: SPEC.adminOnly, form: () => ({ discoverEmail: "access@gmail.com" }) },
  ],
  "app/(app)/mail/[mailboxId]/quarantine/actions.ts#reparseEmailAction": [
    { what: "parse a quarantined message again", expected: SPEC.ownerOrMailboxWriters, prepare: unparsedEmail, form: (c, emailId) => ({ mailboxId: c.ownedMailboxId, emailId }) },
  ],
  "app/(app)/picker-actions.ts#searchOwnersAction": [
    { what: "search users for an owner picker", expected: SPEC.mailboxWriters, form: () => ({}), args: () => ["a"] },
  ],
  "app/(app)/picker-actions.ts#searchProfilesAction": [
    { what: "search profiles for a mailbox's profile picker", expected: SPEC.mailboxWriters, form: () => ({}), args: () => ["a"] },
  ],
  "app/(app)/profiles/actions.ts#createProfileAction": [{ what: "create a profile", expected: SPEC.adminOnly, form: (c) => profileForm(c.n()) }],
  "app/(app)/profiles/actions.ts#deleteProfileAction": [{ what: "delete a profile", expected: SPEC.adminOnly, prepare: (c) => makeProfile(c.t.db), form: (_c, id) => ({ id }) }],
  "app/(app)/profiles/actions.ts#testAllMailboxesAction": [{ what: "test & enable all of a profile", expected: SPEC.mailboxWriters, form: (c) => ({ profileId: c.profileId }) }],
  "app/(app)/profiles/actions.ts#updateProfileAction": [{ what: "edit a profile", expected: SPEC.adminOnly, form: (c) => ({ id: c.profileId, ...profileForm(c.n()) }) }],
  "app/(app)/settings/actions.ts#updateSettingsAction": [{ what: "org settings", expected: SPEC.adminOnly, form: (c) => settingsForm(c) }],
  "app/(app)/users/actions.ts#createUserAction": [
    { what: "create a user", expected: SPEC.adminOnly, form: (c) => ({ email: `new${c.n()}@example.com`, name: "New", password: "Quiet-Harbour-8812", role: "member" }) },
  ],
  "app/(app)/users/actions.ts#updateUserAction": [
    { what: "edit a user", expected: SPEC.adminOnly, form: (c) => ({ id: c.actors.other.id, name: `Other ${c.n()}`, role: "member", active: "on", password: "" }) },
  ],
  "app/(app)/users/actions.ts#signOutEverywhereAction": [
    { what: "end another user's sessions", expected: SPEC.adminOnly, prepare: async (c) => (await makeActor(c.t.db, "member")).id, form: (_c, id) => ({ id }) },
    // One's own sessions: anyone signed in (a signed-out caller names the owner).
    { what: "end one's own sessions", expected: SPEC.everyoneSignedIn, form: (c, _made, who) => ({ id: c.actors[who === "signedOut" ? "owner" : who].id }) },
  ],
  "app/setup/actions.ts#setupAction": [
    // Public by design, but only while there is no user at all: refused for everyone here.
    { what: "first-run setup", expected: SPEC.nobody, signedOutCode: "forbidden", form: (c) => ({ email: `late${c.n()}@example.com`, name: "Late", password: "Quiet-Harbour-8812" }) },
  ],
  "app/(app)/sign-out-action.ts#signOutAction": { public: "ends the caller's own session; nothing to protect (tests/e2e/roles.spec.ts signs out)" },
  "app/locale/actions.ts#setLocale": { public: "sets the caller's language cookie only (tests/e2e/locale.spec.ts)" },
  "app/sign-in/actions.ts#signInAction": { public: "signing in; rate-limited (tests/integration/users/users.test.ts, tests/e2e/sign-in-limit.spec.ts)" },
};

let c: Ctx;
let counter = 0;
/** The headers of a request from this machine over plain HTTP, as the web server (scripts/web-server.ts) stamps them. */
function requestFromThisMachine(): Headers {
  const req = { headers: { host: "127.0.0.1:3000", "accept-language": "en" } as Record<string, string>, socket: { remoteAddress: "127.0.0.1" } };
  stampForwardedHeaders(req as unknown as Parameters<typeof stampForwardedHeaders>[0], null);
  return new Headers(req.headers);
}

beforeAll(async () => {
  request.headers = requestFromThisMachine();
  const t = await createTestDb();
  // The app's database handle (lib/server/db.ts keeps it on globalThis): this file's database.
  (globalThis as { mailroomDb?: unknown }).mailroomDb = t.db;
  const [admin, manager, owner, other] = [await makeActor(t.db, "admin"), await makeActor(t.db, "mailbox_manager"), await makeActor(t.db, "member"), await makeActor(t.db, "member")];
  const profileId = await makeProfile(t.db, { incomingPort: 1, outgoingPort: 1 });
  const ownedMailboxId = await makeMailbox(t.db, { ownerId: owner.id, profileId, outgoingEnabled: true, outgoingStatus: "success", incomingEnabled: true, incomingStatus: "success" });
  c = { t, actors: { admin, manager, owner, other }, ownedMailboxId, profileId, n: () => ++counter };
  // "Apply default settings" needs an org default profile.
  await updateOrgSettings(t.db, admin, { values: settingsForm(c) });
});
afterAll(async () => {
  delete (globalThis as { mailroomDb?: unknown }).mailroomDb;
  await c?.t.close();
  vi.unstubAllEnvs();
});

/** A digest of every table of the schema: a refused call changes none. */
async function fingerprint(): Promise<string> {
  const tables = await c.t.db.execute<{ name: string }>(sql`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`);
  const parts: string[] = [];
  for (const { name } of tables) {
    const [r] = await c.t.db.execute<{ d: string }>(sql.raw(`select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as d from "${name}" x`));
    parts.push(`${name}:${r.d}`);
  }
  return parts.join(" ");
}

/** The session next-auth would give `who`: their id and current session version, or none. */
async function signInAs(who: Who): Promise<void> {
  session.userId = who === "signedOut" ? null : c.actors[who].id;
  if (!session.userId) return;
  const [u] = await c.t.db.execute<{ v: number }>(sql`select session_version as v from users where id = ${session.userId}`);
  session.version = u.v;
}

function formData(fields: Fields): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) fd.append(k, one);
  return fd;
}

type ServerAction = (...args: unknown[]) => Promise<ActionState | void>;

/** The exported action, loaded from its file as the app does. */
async function loadAction(key: string): Promise<ServerAction> {
  const [file, name] = key.split("#");
  const mod = (await import(/* @vite-ignore */ path.join(root, file))) as Record<string, ServerAction>;
  expect(typeof mod[name], `${key} is exported`).toBe("function");
  return mod[name];
}

/** Posts the form to the action: (prevState, formData) or (formData), as its arity says. Redirects are how the actions end on success. */
type Posted = { state: ActionState | void; redirectedTo?: string };
async function post(action: ServerAction, fd: FormData): Promise<Posted> {
  try {
    return { state: await (action.length >= 2 ? action({ ok: false }, fd) : action(fd)) };
  } catch (err) {
    const digest = (err as { digest?: unknown }).digest;
    if (typeof digest === "string" && digest.startsWith("NEXT_REDIRECT")) return { state: undefined, redirectedTo: digest.split(";")[2] };
    throw err;
  }
}

/** Calls an action that takes plain arguments: an answer is allowed; a refusal is thrown as an AppError with its code. */
async function call(action: ServerAction, args: unknown[]): Promise<Posted> {
  try {
    await action(...args);
    return { state: { ok: true } };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === "string") return { state: { ok: false, code: code as NonNullable<ActionState["code"]> } };
    throw err;
  }
}

test("every server action in the code has an entry in the expectation table, and every entry is a real action", () => {
  const discovered = discoverServerActions();
  expect(discovered.length).toBeGreaterThanOrEqual(15);
  expect(discovered.filter((a) => !(a in table)), "actions without an access expectation").toEqual([]);
  expect(Object.keys(table).filter((k) => !discovered.includes(k)), "entries for actions that no longer exist").toEqual([]);
});

describe.each(Object.entries(table).filter((e): e is [string, Case[]] => Array.isArray(e[1])))("%s", (key, cases) => {
  test.each(cases.flatMap((k) => everyone.map((who) => ({ ...k, who, outcome: k.expected[who] }))))("$what as $who → $outcome", async ({ who, outcome, form, args, prepare, signedOutCode, judge }) => {
    const action = await loadAction(key);
    // Leave the alerts unread so "mark read" has something to change for those allowed.
    await c.t.db.insert(alerts).values(Object.values(c.actors).map((a) => ({ severity: "information" as const, mailboxId: c.ownedMailboxId, recipientId: a.id, dedupKey: `acc:${c.n()}`, title: "t", message: "m" })));
    const made = prepare ? await prepare(c) : "";
    await signInAs(who);
    revalidated.length = 0;
    const before = await fingerprint();
    const posted = args ? await call(action, args(c)) : await post(action, formData(form(c, made, who)));
    const changed = (await fingerprint()) !== before;
    const { state, redirectedTo } = posted;

    // What the caller got: the action's state; else where it sent the browser (actions redirect
    // on success); else, for a plain form action with no result, whether the database changed.
    const got: Outcome = judge ? judge(posted) : state ? (state.ok ? "allowed" : "refused") : redirectedTo || changed ? "allowed" : "refused";
    expect(got, `${who}: ${JSON.stringify(posted)}, database ${changed ? "changed" : "unchanged"}`).toBe(outcome);
    if (outcome === "refused") {
      expect(changed, "a refused call changed nothing").toBe(false);
      if (state) {
        expect(["unauthenticated", "forbidden", "not_found"], `refused for who is asking, not for the input: ${JSON.stringify(state)}`).toContain(state.code);
        if (who === "signedOut") expect(state.code).toBe(signedOutCode ?? "unauthenticated");
        expect(revalidated, "a refused call revalidates nothing").toEqual([]);
      }
    }
  });
});

describe("markAlertsReadAction when it cannot do what was asked", () => {
  const unread = async () => {
    const [r] = await c.t.db.execute<{ n: number }>(sql`select count(*)::int as n from alerts where read_at is null`);
    return r.n;
  };
  const addAlert = async (recipientId: string) => {
    const [a] = await c.t.db.insert(alerts).values({ severity: "warning" as const, mailboxId: c.ownedMailboxId, recipientId, dedupKey: `err:${c.n()}`, title: "t", message: "m" }).returning({ id: alerts.id });
    return a.id;
  };

  test("another member's alert, by id: left unread, no error, the page is revalidated", async () => {
    const action = await loadAction("app/(app)/alerts/actions.ts#markAlertsReadAction");
    const theirs = await addAlert(c.actors.owner.id);
    await signInAs("other");
    revalidated.length = 0;
    const before = await fingerprint();
    await expect(post(action, formData({ id: theirs }))).resolves.toEqual({ state: undefined });
    expect(await fingerprint()).toBe(before);
    expect(revalidated).toEqual(["/"]);
  });

  test("the database failing: logged as an action failure, nothing marked read, no exception reaches the page", async () => {
    const action = await loadAction("app/(app)/alerts/actions.ts#markAlertsReadAction");
    await addAlert(c.actors.owner.id);
    const unreadBefore = await unread();
    await signInAs("owner");
    const logged: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => (logged.push(String(chunk)), true));
    // The alerts table is away for the call, as if the database had lost it mid-request.
    await c.t.db.execute(sql`alter table alerts rename to alerts_away`);
    try {
      await expect(post(action, formData({ all: "mine" }))).resolves.toEqual({ state: undefined });
    } finally {
      await c.t.db.execute(sql`alter table alerts_away rename to alerts`);
      spy.mockRestore();
    }
    const failures = logged.map((l) => JSON.parse(l) as { level: string; msg: string; err?: { message?: string } }).filter((l) => l.msg === "action failed");
    expect(failures).toHaveLength(1);
    expect(failures[0].level).toBe("error");
    expect(failures[0].err?.message).toMatch(/alerts/);
    expect(await unread()).toBe(unreadBefore);
  });
});
