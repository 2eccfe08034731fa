import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import type { Job } from "../../db/schema/jobs";

/**
 * Claims one job for `workerId` and leases it for `leaseMs`: the oldest queued
 * job, a running job whose lease expired (its worker died), or one this worker
 * already holds. `FOR UPDATE SKIP LOCKED` keeps two workers from claiming the same
 * job at once; the lease keeps them apart afterwards. Null when there is none.
 */
export async function claimJob(db: Db, workerId: string, leaseMs: number): Promise<Job | null> {
  const rows = await db.execute<Record<string, unknown>>(sql`
    update jobs set status = 'running', lease_owner = ${workerId}, lease_expires_at = now() + ${leaseMs} * interval '1 millisecond'
    where id = (
      select id from jobs
      where status = 'queued' or (status = 'running' and (lease_expires_at < now() or lease_owner = ${workerId}))
      order by created_at, id
      for update skip locked
      limit 1
    )
    returning id, kind, profile_id, created_by_id, status, total, done, succeeded, failed, lease_owner, lease_expires_at, created_at, finished_at`);
  const r = rows[0];
  if (!r) return null;
  const date = (v: unknown) => (v == null ? null : new Date(v as string));
  return {
    id: r.id as string,
    kind: r.kind as string,
    profileId: (r.profile_id as string | null) ?? null,
    createdById: (r.created_by_id as string | null) ?? null,
    status: r.status as Job["status"],
    total: Number(r.total),
    done: Number(r.done),
    succeeded: Number(r.succeeded),
    failed: Number(r.failed),
    leaseOwner: r.lease_owner as string,
    leaseExpiresAt: date(r.lease_expires_at),
    createdAt: date(r.created_at)!,
    finishedAt: date(r.finished_at),
  };
}
