import { and, asc, eq } from "drizzle-orm";
import { MailParser, type AttachmentStream } from "mailparser";
import type { Db } from "../../db/client";
import { emailAttachments, emails, emailSources } from "../../db/schema/emails";
import { mailboxes } from "../../db/schema/mailboxes";
import type { Actor } from "../auth/actor";
import { parseMailIds } from "./parse-mail-ids";
import { mailNotFound, readableMailboxes } from "./readable-mailboxes";

const INLINE_TYPE = /^image\/(png|gif|jpeg|webp)$/i;
const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
const MAX_TOTAL_BYTES = 20 * 1024 * 1024;

/**
 * The message's inline (Content-ID) raster images as data: URLs by attachment
 * position, decoded from the raw source in one pass. The sandboxed frame has an
 * opaque origin, so the browser sends no session cookie with its image requests:
 * the images travel inside the body instead. Limited to png/gif/jpeg/webp, 5 MB
 * each and 20 MB in all; `positions` says which ones the HTML uses.
 */
export async function getInlineImages(
  db: Db,
  actor: Actor | null,
  input: { mailboxId: string; emailId: string; positions: number[] },
): Promise<Map<number, string>> {
  const where = readableMailboxes(actor, input.mailboxId);
  const ids = parseMailIds(input.mailboxId, input.emailId);
  if (!ids) throw mailNotFound();
  const images = new Map<number, string>();
  if (input.positions.length === 0) return images;
  const [source] = await db
    .select({ raw: emailSources.raw })
    .from(emailSources)
    .innerJoin(emails, eq(emails.id, emailSources.emailId))
    .innerJoin(mailboxes, eq(mailboxes.id, emails.mailboxId))
    .where(and(where, eq(emails.id, ids.emailId)));
  if (!source) throw mailNotFound();
  const rows = await db
    .select({ position: emailAttachments.position, partPath: emailAttachments.partPath, contentType: emailAttachments.contentType, sizeBytes: emailAttachments.sizeBytes })
    .from(emailAttachments)
    .where(eq(emailAttachments.emailId, ids.emailId))
    .orderBy(asc(emailAttachments.position));
  const wanted = new Set(input.positions);
  let budget = MAX_TOTAL_BYTES;
  const chosen = rows.filter((r) => {
    if (!wanted.has(r.position) || !INLINE_TYPE.test(r.contentType) || r.sizeBytes > MAX_IMAGE_BYTES || r.sizeBytes > budget) return false;
    budget -= r.sizeBytes;
    return true;
  });
  if (chosen.length === 0) return images;

  await new Promise<void>((resolve) => {
    // As lib/mail/parse-message.ts parses, so part ids and order match.
    const parser = new MailParser({ skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true, checksumAlgo: false });
    let index = 0;
    parser.on("data", (data: { type: string }) => {
      if (data.type !== "attachment") return;
      const attachment = data as AttachmentStream;
      const i = index++;
      // By part path, else by place among the attachments (as getAttachment finds them).
      const row = rows.find((r) => r.partPath === attachment.partId) ?? rows[i];
      if (!row || !chosen.includes(row)) return attachment.release?.();
      const chunks: Buffer[] = [];
      let size = 0;
      attachment.content.on("data", (c: Buffer) => {
        size += c.length;
        if (size <= MAX_IMAGE_BYTES) chunks.push(c);
      });
      attachment.content.on("end", () => {
        if (size <= MAX_IMAGE_BYTES) images.set(row.position, `data:${row.contentType.toLowerCase()};base64,${Buffer.concat(chunks).toString("base64")}`);
        attachment.release?.();
      });
    });
    parser.on("error", () => resolve());
    parser.on("end", () => resolve());
    parser.end(Buffer.from(source.raw));
  });
  return images;
}
