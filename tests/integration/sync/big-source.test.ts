import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import MailComposer from "nodemailer/lib/mail-composer";
import { beforeAll, expect, test } from "vitest";
import { emailAttachments, emails, emailSources } from "../../../db/schema/emails";
import { syncDueMailboxes } from "../../../lib/sync/sync-due-mailboxes";
import type { TestDb } from "../../harness/db";
import type { Dovecot } from "../../harness/dovecot";
import { insertMailbox, insertProfile, testMessage, testSyncOptions } from "./sync-fixtures";
import { useDovecotSuite } from "./dovecot-suite";

const suite = useDovecotSuite();
let t: TestDb;
let dovecot: Dovecot;
let ownerId: string;
beforeAll(() => void ({ t, dovecot, ownerId } = suite));

/** A ~3 MB message: big sources take their own download path (IMAP) and are written with binary COPY. */
function bigMessage(i: number): Promise<Buffer> {
  return new MailComposer({
    from: "scanner@example.org",
    to: "alice@example.com",
    subject: `scan ${i}`,
    messageId: `<big.${i}@example.org>`,
    text: `Scan ${i} attached.`,
    attachments: [{ filename: `scan-${i}.pdf`, content: randomBytes(2_200_000), contentType: "application/pdf" }],
  })
    .compile()
    .build();
}

for (const protocol of ["imap", "pop3"] as const) {
  test(`${protocol}: big messages between small ones are stored byte for byte, with their attachment, each once`, async () => {
    const user = `big-${protocol}`;
    await dovecot.addUser(user, "pw");
    const raws = [Buffer.from(testMessage(1)), await bigMessage(1), Buffer.from(testMessage(2)), await bigMessage(2)];
    await dovecot.deliverMany(user, raws);
    const profileId = await insertProfile(t.db, { dovecot, protocol, ownerId });
    const mailboxId = await insertMailbox(t.db, { profileId, ownerId, user, password: "pw" });

    const [outcome] = await syncDueMailboxes(t.db, testSyncOptions(`big-${protocol}`));
    expect(outcome).toMatchObject({ mailboxId, result: "synced", stored: 4 });
    const rows = await t.db
      .select({ id: emails.id, subject: emails.subject, size: emails.sizeBytes, raw: emailSources.raw })
      .from(emails)
      .innerJoin(emailSources, eq(emailSources.emailId, emails.id))
      .where(eq(emails.mailboxId, mailboxId));
    expect(rows).toHaveLength(4);
    for (const raw of raws) expect(rows.filter((r) => r.raw.equals(raw))).toHaveLength(1);
    const big = rows.find((r) => r.subject === "scan 2")!;
    const [att] = await t.db.select().from(emailAttachments).where(eq(emailAttachments.emailId, big.id));
    expect(att).toMatchObject({ filename: "scan-2.pdf", contentType: "application/pdf", sizeBytes: 2_200_000 });
  });
}
