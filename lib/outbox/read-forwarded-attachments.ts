import { eq } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { emailSources } from "../../db/schema/emails";
import { openMessagePart } from "../emails/open-message-part";
import { AppError } from "../errors";
import { msg } from "../i18n/message";
import type { SourceEmail } from "./load-source-email";

export type AttachmentBytes = { filename: string; contentType: string; content: Buffer };

/**
 * The decoded bytes of the chosen attachments of a stored message, taken from its
 * raw source (the only copy), found the way downloads find them: by part path,
 * else by place among the message's attachments.
 */
export async function readForwardedAttachments(db: DbOrTx, source: SourceEmail, positions: number[]): Promise<AttachmentBytes[]> {
  const wanted = source.attachments.filter((a) => positions.includes(a.position));
  if (wanted.length === 0) return [];
  const [row] = await db.select({ raw: emailSources.raw }).from(emailSources).where(eq(emailSources.emailId, source.id));
  if (!row) throw new AppError("invalid", msg("error.outbox.originalGone"));
  const raw = Buffer.from(row.raw);
  const out: AttachmentBytes[] = [];
  for (const a of wanted) {
    const rank = source.attachments.findIndex((x) => x.position === a.position);
    const stream = (a.partPath ? await openMessagePart(raw, (partId) => partId === a.partPath) : null) ?? (await openMessagePart(raw, (_id, index) => index === rank));
    if (!stream) throw new AppError("invalid", msg("error.outbox.attachmentUnreadable", { filename: a.filename }), { fieldErrors: { forwardAttachments: [msg("error.outbox.attachmentUnreadableShort", { filename: a.filename })] } });
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    out.push({ filename: a.filename, contentType: a.contentType, content: Buffer.concat(chunks) });
  }
  return out;
}
