// Test & enable against a server that accepts and never answers (issue 13, a short greeting
// timeout): the incoming test gives up at the greeting timeout, not the long mail timeout
// meant for big fetches, and leaves the mailbox enabled and retrying (an outage, not a verdict).
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { generateSecretKey } from "../../../lib/crypto/generate-secret-key";
import { testAndEnableMailboxes } from "../../../lib/mailboxes/test-and-enable-mailboxes";
import { createTestDb, type TestDb } from "../../harness/db";
import { closedPort as findClosedPort, startSilentServer } from "../../harness/tcp";
import { mailboxRow, makeActor, makeActors, makeMailbox, makeProfile, type Actors } from "./fixtures";

vi.stubEnv("MAILROOM_SECRET_KEY", generateSecretKey("hung"));
const MAIL_TIMEOUT_MS = 20_000;
vi.stubEnv("MAILROOM_MAIL_TIMEOUT_MS", String(MAIL_TIMEOUT_MS));
vi.stubEnv("MAILROOM_GREETING_TIMEOUT_MS", "1000");

let t: TestDb;
let a: Actors;
let silent: { port: number; stop: () => Promise<void> };
let closedPort: number;

beforeAll(async () => {
  silent = await startSilentServer();
  closedPort = await findClosedPort();
  t = await createTestDb();
  a = await makeActors(t.db);
});
afterAll(async () => {
  await silent?.stop();
  await t?.close();
  vi.unstubAllEnvs();
});

test("incoming test & enable on a silent server ends at the greeting timeout and leaves the mailbox retrying", async () => {
  const owner = (await makeActor(t.db, "admin", "Hung Profile-Owner")).id;
  const profileId = await makeProfile(t.db, { incomingPort: silent.port, outgoingPort: closedPort, ownerId: owner });
  const id = await makeMailbox(t.db, { profileId, ownerId: a.member.id, userName: "alice", password: "pw" });
  const started = Date.now();
  const out = await testAndEnableMailboxes(t.db, a.admin, { ids: [id] });
  if (out.kind !== "results") throw new Error("expected inline results");
  const [result] = out.results;
  const tookMs = Date.now() - started;
  expect(result.incoming).toMatchObject({ status: "retrying" });
  // Far below the 20 s mail timeout it waited before (outgoing goes to a closed port: refused at once).
  expect(tookMs, `incoming test took ${tookMs} ms`).toBeLessThan(MAIL_TIMEOUT_MS / 2);
  expect(await mailboxRow(t.db, id)).toMatchObject({ incomingEnabled: true });
}, 60_000);
