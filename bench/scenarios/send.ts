import tls from "node:tls";
import { sql } from "drizzle-orm";
import nodemailer from "nodemailer";
import { outbox } from "../../db/schema/outbox";
import { startSmtpServer } from "../../tests/harness/smtp";
import { startBenchWorker } from "../lib/procs";
import { insertMailboxes, insertSmtpProfile, insertUser } from "../lib/rows";
import { workerEnv, type Scenario } from "../lib/scenario";
import { round, waitUntil } from "../lib/stats";

const CONNECTIONS = 5;

/** The email of number `i`, as both sides send it: one recipient, a short plain-text body. */
function email(i: number) {
  return {
    from: "bench@example.com",
    to: `Recipient ${i % 7} <r${i % 7}@example.org>`,
    subject: `Bench send ${i}`,
    text: `Message number ${i}.\r\n` + "The quarterly report is attached below, please review before friday.\r\n".repeat(12),
  };
}

/**
 * 2,000 queued emails sent by one worker process vs nodemailer's own pooled transport sending
 * the same emails to the same in-process smtp-server, both over implicit TLS with AUTH and at
 * most 5 connections (nodemailer's default pool size; the profile's maximum concurrent connections).
 */
export const send: Scenario = {
  name: "send",
  async run(ctx) {
    const count = ctx.quick ? 150 : 2000;
    const smtp = await startSmtpServer({ pki: ctx.pki, users: { relay: "relay-pw" } });
    const bench = await ctx.pg.freshDb("send");
    let rawLogins = 0;
    let mailroomLogins = 0;
    try {
      const raw = async () => {
        const transport = nodemailer.createTransport({
          host: smtp.host,
          port: smtp.ports.tls,
          secure: true,
          pool: true,
          maxConnections: CONNECTIONS,
          maxMessages: Infinity,
          auth: { user: "relay", pass: "relay-pw" },
          tls: { ca: [...tls.rootCertificates, ctx.pki.caPem] },
        });
        smtp.received.length = 0;
        rawLogins = smtp.authCount;
        const started = performance.now();
        await Promise.all(Array.from({ length: count }, (_, i) => transport.sendMail({ ...email(i), messageId: `<raw.${i}.${started}@example.com>` })));
        const seconds = (performance.now() - started) / 1000;
        transport.close();
        rawLogins = smtp.authCount - rawLogins;
        if (smtp.received.length !== count) throw new Error(`raw: server got ${smtp.received.length} of ${count}`);
        return seconds;
      };
      await raw(); // warm-up (TLS session setup code paths, JIT)
      const rawBefore = await raw();
      ctx.log(`send: raw ${rawBefore.toFixed(2)} s`);

      const owner = await insertUser(bench.db);
      const profileId = await insertSmtpProfile(bench.db, { ownerId: owner.id, port: smtp.ports.tls, user: "relay", password: "relay-pw", maxConnections: CONNECTIONS });
      const [mailboxId] = await insertMailboxes(bench.db, [{ profileId, ownerId: owner.id, incoming: false, outgoing: true }]);
      const worker = await startBenchWorker(workerEnv(ctx, bench.url));
      let seconds: number;
      let cpu: number;
      try {
        await new Promise((r) => setTimeout(r, 1500));
        smtp.received.length = 0;
        const cpuBefore = worker.cpuSeconds();
        const loginsBefore = smtp.authCount;
        const rows = Array.from({ length: count }, (_, i) => {
          const e = email(i);
          const [, name, address] = /^(.*) <(.*)>$/.exec(e.to)!;
          return { mailboxId, createdById: owner.id, messageId: `<bench.send.${i}@example.com>`, toList: [{ name, address }], subject: e.subject, textBody: e.text };
        });
        // One transaction: the worker sees all of them at once, as after a burst of users pressing Send.
        const [{ t0 }] = await bench.db.transaction(async (tx) => {
          for (let i = 0; i < rows.length; i += 500) await tx.insert(outbox).values(rows.slice(i, i + 500));
          return tx.execute<{ t0: string }>(sql`select clock_timestamp() as t0`);
        });
        await waitUntil("every email sent", async () => {
          const [r] = await bench.db.execute<{ n: number; bad: number }>(sql`select count(*) filter (where status = 'sent')::int as n, count(*) filter (where status in ('failed', 'retrying'))::int as bad from outbox`);
          if (r.bad > 0) throw new Error(`${r.bad} emails failed or are retrying:\n${worker.output().slice(-3000)}`);
          return r.n === count;
        }, ctx.quick ? 120_000 : 600_000, 100);
        const [{ last }] = await bench.db.execute<{ last: string }>(sql`select max(sent_at) as last from outbox`);
        seconds = (new Date(last).getTime() - new Date(t0).getTime()) / 1000;
        cpu = worker.cpuSeconds() - cpuBefore;
        mailroomLogins = smtp.authCount - loginsBefore;
        if (smtp.received.length !== count) throw new Error(`Mailroom: server got ${smtp.received.length} of ${count}`);
      } finally {
        await worker.stop();
      }
      ctx.log(`send: Mailroom ${seconds.toFixed(2)} s`);
      const rawAfter = await raw();
      const rawMean = (rawBefore + rawAfter) / 2;
      const ratio = rawMean / seconds;
      return {
        name: "send",
        target: "b/a ≥ 0.8",
        value: round(ratio),
        met: ratio >= 0.8,
        summary: `a ${round(count / rawMean, 0)} emails/s, b ${round(count / seconds, 0)} emails/s`,
        figures: {
          emails: count,
          connections: CONNECTIONS,
          rawSeconds: { before: round(rawBefore, 3), after: round(rawAfter, 3), mean: round(rawMean, 3) },
          rawEmailsPerSecond: round(count / rawMean, 1),
          mailroomSeconds: round(seconds, 3),
          mailroomEmailsPerSecond: round(count / seconds, 1),
          workerCpuSeconds: round(cpu, 2),
          smtpSessions: { raw: rawLogins, mailroom: mailroomLogins },
        },
        notes: [
          `a = nodemailer pooled transport (${CONNECTIONS} connections, implicit TLS, AUTH PLAIN) sending all at once`,
          "b = one worker process, from the commit of the queued rows to the last sent_at; the profile allows the same 5 connections",
          "smtp-server (in the bench process) waits 100 ms before each greeting, so connection reuse dominates",
        ],
      };
    } finally {
      await smtp.stop();
      await bench.close();
    }
  },
};
