// Refresh across processes: two processes racing one expired token make exactly
// one refresh request (counted at the authorization server), and a worker killed
// with SIGKILL right after a rotation loses nothing.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { eq, sql } from "drizzle-orm";
import { afterAll, expect, test } from "vitest";
import { oauthCredentials } from "../../../db/schema/oauth";
import { syncDueMailboxes } from "../../../lib/sync/sync-due-mailboxes";
import { makeDue, testMessage, testSyncOptions } from "../sync/sync-fixtures";
import { startWorker, type WorkerProcess } from "../sync/worker-process";
import { connectMailbox, oauthMailbox, oauthProfile, useOAuthMailSuite } from "./oauth-fixtures";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../../..");
const s = useOAuthMailSuite();
const refreshes = () => s.oauth.tokenRequests().refresh_token ?? 0;
const workers: WorkerProcess[] = [];
afterAll(async () => {
  for (const w of workers) w.kill9();
});

async function connected(name: string) {
  const address = `${name}@example.test`;
  await s.dovecot.addUser(address, `${name}-password`);
  const profileId = await oauthProfile(s);
  const mailboxId = await oauthMailbox(s, profileId, address);
  await connectMailbox(s, mailboxId, profileId, address);
  return { address, profileId, mailboxId };
}
const expire = (mailboxId: string) => s.t.db.execute(sql`update oauth_credentials set access_token_expires_at = now() - interval '1 second' where mailbox_id = ${mailboxId}`);
const credential = async (mailboxId: string) => (await s.t.db.select().from(oauthCredentials).where(eq(oauthCredentials.key, `mailbox:${mailboxId}`)))[0];

test("two processes racing one expired token: exactly one refresh request, both get the same new token", async () => {
  const { address, profileId, mailboxId } = await connected("race");
  const source = JSON.stringify({ kind: "oauth", grant: "delegated", profileId, mailboxId, address });
  const env = { ...process.env, DATABASE_URL: s.t.url };
  const rounds = 3;
  // Each refresh takes a second at the server, so both processes are surely inside it at once.
  s.oauth.slowTokenRequests(1_000);
  for (let round = 1; round <= rounds; round++) {
    await expire(mailboxId);
    const before = refreshes();
    const startAt = Date.now() + 2_500; // both processes are up and connected by then
    const outs = await Promise.all([0, 1].map(() => run(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "token-process.ts"), source, String(startAt)], { cwd: root, env })));
    const answers = outs.map((o) => JSON.parse(o.stdout.trim().split("\n").pop()!));
    expect(answers.every((a) => a.token)).toBe(true);
    expect(answers[0].token).toBe(answers[1].token);
    expect(refreshes() - before).toBe(1);
  }
  s.oauth.slowTokenRequests(0);
  console.log(`[figures] race: ${rounds} rounds of 2 processes on one expired token → ${rounds} refresh requests in all (1 per round)`);
});

test("kill -9 of a worker right after a rotation loses nothing: the next sync works with the stored tokens", async () => {
  const { address, mailboxId } = await connected("killed");
  await s.dovecot.deliverMany(address, Array.from({ length: 300 }, (_, i) => testMessage(i, { tag: "kill", body: "x".repeat(2000) })));
  await expire(mailboxId);
  const rotatedFrom = (await credential(mailboxId)).refreshTokenSealed;
  const before = refreshes();
  const w = await startWorker({ DATABASE_URL: s.t.url, MAILROOM_SECRET_KEY: process.env.MAILROOM_SECRET_KEY!, MAILROOM_EXTRA_CA_FILE: s.pki.caFile, LOG_LEVEL: "info" });
  workers.push(w);
  // The moment the rotated refresh token is committed, the worker dies (mid-sync).
  const deadline = Date.now() + 30_000;
  while ((await credential(mailboxId)).refreshTokenSealed === rotatedFrom) {
    if (Date.now() > deadline) throw new Error(`no refresh within 30 s:\n${w.output()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  w.kill9();
  await w.exited;
  expect(refreshes() - before).toBe(1);

  // Its lease must run out before another worker may take the mailbox; here the test takes it over directly.
  await s.t.db.execute(sql`update mailboxes set lease_owner = null, lease_expires_at = null where id = ${mailboxId}`);
  await makeDue(s.t.db, mailboxId);
  const [outcome] = await syncDueMailboxes(s.t.db, testSyncOptions("after-kill"));
  expect(outcome).toMatchObject({ mailboxId, result: "synced" });
  // And the stored (rotated) refresh token still works: force the next refresh.
  await expire(mailboxId);
  await makeDue(s.t.db, mailboxId);
  const [again] = await syncDueMailboxes(s.t.db, testSyncOptions("after-kill-2"));
  expect(again).toMatchObject({ mailboxId, result: "synced" });
  expect(refreshes() - before).toBe(2);
  console.log(`[figures] kill -9 right after rotation: 1 refresh before the kill, next sync reused the stored access token, a forced refresh with the stored refresh token succeeded (2 refreshes in all)`);
});
