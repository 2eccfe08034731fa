import { afterAll, beforeAll, vi } from "vitest";
import { generateSecretKey } from "../../../lib/crypto/generate-secret-key";
import { createTestDb, type TestDb } from "../../harness/db";
import { startDovecot, type Dovecot } from "../../harness/dovecot";
import { createTestPki, type TestPki } from "../../harness/tls";
import { insertUser } from "./sync-fixtures";

export type DovecotSuite = { pki: TestPki; t: TestDb; dovecot: Dovecot; ownerId: string };

/**
 * What every Dovecot-backed sync test file sets up: a test CA the sync trusts
 * (MAILROOM_EXTRA_CA_FILE), a sealing key, a fresh database, a private Dovecot and a
 * user to own profiles and mailboxes — and tears them down. Call it at the top of
 * the file; `t`, `dovecot` and `ownerId` are filled in before the first test.
 */
export function useDovecotSuite(): DovecotSuite {
  const pki = createTestPki();
  vi.stubEnv("MAILROOM_SECRET_KEY", generateSecretKey("test"));
  vi.stubEnv("MAILROOM_EXTRA_CA_FILE", pki.caFile);
  const suite = { pki } as DovecotSuite;
  beforeAll(async () => {
    [suite.t, suite.dovecot] = await Promise.all([createTestDb(), startDovecot({ pki })]);
    suite.ownerId = await insertUser(suite.t.db);
  });
  afterAll(async () => {
    await suite.dovecot?.destroy();
    await suite.t?.close();
    vi.unstubAllEnvs();
  });
  return suite;
}
