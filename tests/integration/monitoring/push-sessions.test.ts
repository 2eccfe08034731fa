// Push sessions on the dashboard and in /metrics (issue 16, "push sessions held"): a real
// worker holds real IMAP IDLE sessions on Dovecot; the dashboard counts them per worker and
// in all, /metrics publishes them, and a mailbox disabled drops out of both.
import { eq } from "drizzle-orm";
import { afterAll, expect, test } from "vitest";
import { mailboxes } from "../../../db/schema/mailboxes";
import { profiles } from "../../../db/schema/profiles";
import { renderMetrics } from "../../../lib/metrics/render-metrics";
import { getDashboard } from "../../../lib/monitoring/get-dashboard";
import { valueOf } from "../../harness/prometheus";
import { insertActors } from "../profiles/test-actors";
import { useDovecotSuite } from "../sync/dovecot-suite";
import { insertMailbox, insertProfile } from "../sync/sync-fixtures";
import { startWorker, waitFor, type WorkerProcess } from "../sync/worker-process";

const s = useDovecotSuite();
let w: WorkerProcess | undefined;
afterAll(async () => {
  await w?.stop();
});

test("the dashboard and /metrics count the IMAP sessions a live worker holds open for push", async () => {
  const actors = await insertActors(s.t.db);
  const profileId = await insertProfile(s.t.db, { dovecot: s.dovecot, protocol: "imap", ownerId: s.ownerId, maxConnections: 5 });
  await s.t.db.update(profiles).set({ minPollingIntervalMinutes: 60 }).where(eq(profiles.id, profileId));
  const ids: string[] = [];
  for (const user of ["pm1", "pm2"]) {
    await s.dovecot.addUser(user, `${user}-pw`);
    ids.push(await insertMailbox(s.t.db, { profileId, ownerId: s.ownerId, user, password: `${user}-pw` }));
  }
  w = await startWorker({
    DATABASE_URL: s.t.url,
    MAILROOM_SECRET_KEY: process.env.MAILROOM_SECRET_KEY!,
    MAILROOM_EXTRA_CA_FILE: s.pki.caFile,
    MAILROOM_WORKER_ID: "push-mon",
    MAILROOM_PUSH_SESSIONS: "10",
  });
  const held = async () => (await getDashboard(s.t.db, actors.admin, {})).push.held;
  await waitFor("both sessions held", async () => (await held()) === 2, 30_000);
  const d = await getDashboard(s.t.db, actors.admin, {});
  expect(d.push).toEqual({ held: 2, pushable: 2 });
  await waitFor("the worker's heartbeat", async () => (await getDashboard(s.t.db, actors.admin, {})).workers.some((x) => x.id === "push-mon" && x.alive), 20_000);
  expect((await getDashboard(s.t.db, actors.admin, {})).workers.find((x) => x.id === "push-mon")?.pushSessions).toBe(2);
  expect(valueOf((await renderMetrics(s.t.db)).text, "mailroom_push_sessions", { worker: "push-mon" })).toBe(2);

  // Disabled: its session closes and it is no longer pushable.
  await s.t.db.update(mailboxes).set({ incomingEnabled: false }).where(eq(mailboxes.id, ids[0]));
  await waitFor("one session left", async () => (await held()) === 1, 30_000);
  expect((await getDashboard(s.t.db, actors.admin, {})).push).toEqual({ held: 1, pushable: 1 });
  // The dashboard's "held" counts enabled mailboxes only, so it drops at once; the session itself closes within
  // seconds, and /metrics counts connected sessions: wait for the close rather than race it.
  await waitFor("the disabled mailbox's session closed", async () => valueOf((await renderMetrics(s.t.db)).text, "mailroom_push_sessions", { worker: "push-mon" }) === 1, 30_000);
  expect((await getDashboard(s.t.db, actors.admin, {})).workers.find((x) => x.id === "push-mon")?.pushSessions).toBe(1);
});
