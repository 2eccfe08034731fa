// The worker's OAuth upkeep: idle sign-ins are refreshed at least daily, a dead
// one disables its mailbox with one alert per owner, and client-secret expiry is
// announced 30, 7 and 1 days ahead, once each.
import { eq, sql } from "drizzle-orm";
import { expect, test } from "vitest";
import { profiles } from "../../../db/schema/profiles";
import { alertSecretExpiry } from "../../../lib/credentials/alert-secret-expiry";
import { refreshIdleCredentials } from "../../../lib/credentials/refresh-idle-credentials";
import { alertsWith, connectMailbox, mailboxState, oauthMailbox, oauthProfile, useOAuthMailSuite } from "./oauth-fixtures";

const s = useOAuthMailSuite();
const DAY = 24 * 60 * 60 * 1000;
const refreshes = () => s.oauth.tokenRequests().refresh_token ?? 0;
const age = (hours: number) => s.t.db.execute(sql`update oauth_credentials set last_refresh_at = now() - ${hours} * interval '1 hour'`);

test("an idle sign-in is refreshed once it is 20 hours old, not before; a revoked one disables the mailbox and alerts both owners once", async () => {
  const address = "idle@example.test";
  await s.dovecot.addUser(address, "idle-password");
  const profileId = await oauthProfile(s);
  const mailboxId = await oauthMailbox(s, profileId, address);
  await connectMailbox(s, mailboxId, profileId, address);

  const before = refreshes();
  expect(await refreshIdleCredentials(s.t.db)).toEqual({ refreshed: 0, failed: 0 });
  await age(21);
  expect(await refreshIdleCredentials(s.t.db)).toEqual({ refreshed: 1, failed: 0 });
  expect(refreshes() - before).toBe(1);
  expect(await refreshIdleCredentials(s.t.db)).toEqual({ refreshed: 0, failed: 0 });

  await s.oauth.revokeAccount(address);
  await age(21);
  expect(await refreshIdleCredentials(s.t.db)).toEqual({ refreshed: 0, failed: 1 });
  expect(await refreshIdleCredentials(s.t.db)).toEqual({ refreshed: 0, failed: 0 }); // the dead grant is gone, not retried
  const m = await mailboxState(s.t.db, mailboxId);
  expect([m.incomingEnabled, m.outgoingEnabled, m.lastErrorCode]).toEqual([false, false, "oauth_invalid_grant"]);
  for (const owner of [s.mailboxOwner, s.profileOwner]) {
    const found = await alertsWith(s.t.db, owner, `oauth:refresh:${mailboxId}`);
    expect(found.map((a) => a.count)).toEqual([1]);
  }
});

test("client-secret expiry: the profile owner is warned 30, 7 and 1 days before, once each", async () => {
  const expires = new Date(Date.now() + 25 * DAY);
  const profileId = await oauthProfile(s);
  await s.t.db.update(profiles).set({ oauthSecretExpiresAt: expires }).where(eq(profiles.id, profileId));
  const at = (daysFromNow: number) => new Date(Date.now() + daysFromNow * DAY);
  expect(await alertSecretExpiry(s.t.db, at(0))).toBe(1);
  expect(await alertSecretExpiry(s.t.db, at(1))).toBe(0);
  expect(await alertSecretExpiry(s.t.db, at(18.5))).toBe(1); // 6.5 days left
  expect(await alertSecretExpiry(s.t.db, at(19))).toBe(0);
  expect(await alertSecretExpiry(s.t.db, at(24.5))).toBe(1); // half a day left
  expect(await alertSecretExpiry(s.t.db, at(24.9))).toBe(0);
  const sent = await alertsWith(s.t.db, s.profileOwner, `secret-expiry:${profileId}:`);
  expect(sent.map((a) => a.dedupKey.split(":")[2]).sort()).toEqual(["1", "30", "7"]);
  expect(sent.find((a) => a.dedupKey.includes(":30:"))?.title).toMatch(/expires in 25 day/);
});
