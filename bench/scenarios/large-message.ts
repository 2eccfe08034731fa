import { eq } from "drizzle-orm";
import MailComposer from "nodemailer/lib/mail-composer";
import { mailboxes } from "../../db/schema/mailboxes";
import { startDovecot } from "../../tests/harness/dovecot";
import { startBenchWorker } from "../lib/procs";
import { countEmails, insertIncomingProfile, insertMailboxes, insertUser, installSyncProbe, probeEvents } from "../lib/rows";
import { workerEnv, type Scenario } from "../lib/scenario";
import { round, seededRandom, waitUntil } from "../lib/stats";

/** One message of ~`size` bytes: a short text and one PDF-typed attachment of random bytes (base64 makes it 4/3). */
async function bigMessage(size: number): Promise<Buffer> {
  const rng = seededRandom(25);
  const binary = Buffer.alloc(Math.floor((size * 0.75 * 76) / 78 / 4) * 4);
  for (let k = 0; k < binary.length; k += 4) binary.writeUInt32LE(Math.floor(rng() * 0xffffffff), k);
  return new MailComposer({
    from: "Scanner <scanner@example.org>",
    to: "Alice <alice@example.com>",
    subject: "Scanned contract",
    date: new Date(Date.UTC(2026, 1, 1)),
    messageId: "<bench.large.1@example.org>",
    text: "The scanned contract is attached.",
    attachments: [{ filename: "contract-scan.pdf", content: binary, contentType: "application/pdf" }],
  })
    .compile()
    .build();
}

/**
 * One 25 MiB message (8 MiB with --quick) ingested over IMAPS by a worker process: the increase of its resident
 * memory over its idle level (sampled every 10 ms, and the kernel's high-water mark).
 */
export const largeMessage: Scenario = {
  name: "large-message",
  async run(ctx) {
    // --quick: 8 MiB, enough to see the multiple of the message size the worker holds.
    const raw = await bigMessage((ctx.quick ? 8 : 25) * 1024 * 1024);
    const dovecot = await startDovecot({ pki: ctx.pki });
    const bench = await ctx.pg.freshDb("large");
    try {
      await dovecot.addUser("big", "big-pw");
      await dovecot.deliver("big", raw);
      const owner = await insertUser(bench.db);
      const profileId = await insertIncomingProfile(bench.db, { ownerId: owner.id, protocol: "imap", port: dovecot.ports.imaps });
      const [mailboxId] = await insertMailboxes(bench.db, [{ profileId, ownerId: owner.id, user: "big", password: "big-pw" }]);
      await installSyncProbe(bench.db);
      const worker = await startBenchWorker(workerEnv(ctx, bench.url));
      let idle = 0;
      let sampled = 0;
      let hwm = 0;
      let seconds = 0;
      try {
        await new Promise((r) => setTimeout(r, 2500)); // a few idle passes: startup garbage settles
        idle = worker.memory().rss;
        const idleHwm = worker.memory().hwm;
        await bench.db.update(mailboxes).set({ nextSyncAt: new Date() }).where(eq(mailboxes.id, mailboxId));
        const sampler = setInterval(() => (sampled = Math.max(sampled, worker.memory().rss)), 10);
        try {
          await waitUntil("the large message", async () => (await probeEvents(bench.db, mailboxId)).some((e) => e.kind === "synced"), 300_000, 50);
        } finally {
          clearInterval(sampler);
        }
        hwm = worker.memory().hwm;
        // The high-water mark counts only when the sync raised it above startup's.
        if (hwm <= idleHwm) hwm = sampled;
        const events = await probeEvents(bench.db, mailboxId);
        seconds = (events.find((e) => e.kind === "synced")!.at.getTime() - events.find((e) => e.kind === "claim")!.at.getTime()) / 1000;
        if ((await countEmails(bench.db, mailboxId)) !== 1) throw new Error(`the large message was not stored:\n${worker.output().slice(-3000)}`);
      } finally {
        await worker.stop();
      }
      const increase = Math.max(sampled, hwm) - idle;
      const ratio = increase / raw.length;
      return {
        name: "large-message",
        target: "RSS increase ≤ 3 × message size",
        value: round(ratio, 2),
        met: ratio <= 3,
        summary: `${round(raw.length / 2 ** 20, 1)} MiB message: +${round(increase / 2 ** 20, 0)} MiB RSS (${round(ratio, 2)}×) in ${round(seconds, 1)} s`,
        figures: {
          messageBytes: raw.length,
          idleRssMiB: round(idle / 2 ** 20, 1),
          peakSampledRssMiB: round(sampled / 2 ** 20, 1),
          peakHwmMiB: round(hwm / 2 ** 20, 1),
          increaseMiB: round(increase / 2 ** 20, 1),
          syncSeconds: round(seconds, 2),
        },
        notes: ["value = (peak RSS during the sync − idle RSS before it) / message size; RSS of the worker's node process (VmRSS every 10 ms, VmHWM)"],
      };
    } finally {
      await dovecot.destroy();
      await bench.close();
    }
  },
};
