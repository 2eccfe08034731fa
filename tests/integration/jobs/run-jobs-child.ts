// A job runner as its own process, so the bulk-job test can SIGKILL it mid-way and
// start another. Runs jobs until none is queued or running, then exits.
// Environment: DATABASE_URL, MAILROOM_WORKER_ID, JOB_LEASE_MS, plus the app's own
// (MAILROOM_SECRET_KEY, MAILROOM_EXTRA_CA_FILE, MAILROOM_MAIL_TIMEOUT_MS).
import { sql } from "drizzle-orm";
import { createDb } from "../../../db/client";
import { runNextJob } from "../../../lib/jobs/run-next-job";

const { db, close } = createDb(process.env.DATABASE_URL!, { max: 3 });
const workerId = process.env.MAILROOM_WORKER_ID!;
const leaseMs = Number(process.env.JOB_LEASE_MS ?? 60_000);

async function main() {
  console.log(`runner ${workerId} started`);
  for (;;) {
    const handled = await runNextJob(db, { workerId, leaseMs, budgetMs: 2_000 });
    if (handled > 0) continue;
    const [{ n }] = await db.execute<{ n: number }>(sql`select count(*)::int as n from jobs where status in ('queued', 'running')`);
    if (n === 0) break;
    // A job still leased by a dead runner: wait for the lease to expire.
    await new Promise((r) => setTimeout(r, 100));
  }
  await close();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
