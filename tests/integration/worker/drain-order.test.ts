import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, test } from "vitest";
import { runWorkerLoop, type WorkStep } from "../../../workers/loop";
import { createHeartbeatStep } from "../../../workers/steps/heartbeat";
import { createTestDb, type TestDb } from "../../harness/db";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t?.close());

test("graceful shutdown marks the worker stopped only after its in-flight work drained (issue 16)", async () => {
  const workerId = "drain-order";
  const stoppedAt = async () => (await t.db.execute<{ stopped_at: string | null }>(sql`select stopped_at from workers where id = ${workerId}`))[0]?.stopped_at ?? null;
  const abort = new AbortController();
  const seen: Array<string | null> = [];
  // A step with a sync in flight: its drain settles a moment after the stop, as a sync reaching its batch boundary does.
  const inFlight: WorkStep = async () => {
    abort.abort();
    return 1;
  };
  inFlight.drain = async () => {
    await new Promise((r) => setTimeout(r, 300));
    seen.push(await stoppedAt());
  };
  await runWorkerLoop({ db: t.db, workerId, signal: abort.signal }, [createHeartbeatStep({ everyMs: 0 }), inFlight]);
  // While the work drained the worker was still alive on the dashboard; afterwards it is stopped.
  expect(seen).toEqual([null]);
  expect(await stoppedAt()).not.toBeNull();
});
