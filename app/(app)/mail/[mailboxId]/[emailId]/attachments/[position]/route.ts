import { Readable } from "node:stream";
import { AppError } from "@/lib/errors";
import { attachmentDisposition } from "@/lib/emails/attachment-disposition";
import { getAttachment, type AttachmentDownload } from "@/lib/emails/get-attachment";
import { getDb } from "@/lib/server/db";
import { getActor } from "@/lib/server/session";

const NOT_FOUND = () => new Response("Not found", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" } });

// type/subtype with optional parameters, nothing that could split a header.
const CONTENT_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+(\s*;\s*[a-z0-9!#$&^_.+-]+=("[^"\r\n]*"|[a-z0-9!#$&^_.+-]+))*$/i;

/**
 * Downloads one attachment, decoded from the stored raw source: its stored type,
 * `Content-Disposition: attachment` with its name, nosniff, and a CSP that stops
 * it running should a browser render it anyway. Mail the actor may not read is 404.
 */
export async function GET(_request: Request, { params }: { params: Promise<{ mailboxId: string; emailId: string; position: string }> }) {
  const actor = await getActor();
  if (!actor) return NOT_FOUND();
  const { mailboxId, emailId, position } = await params;
  let attachment: AttachmentDownload;
  try {
    attachment = await getAttachment(getDb(), actor, { mailboxId, emailId, position });
  } catch (err) {
    if (err instanceof AppError) return NOT_FOUND();
    throw err;
  }
  const contentType = CONTENT_TYPE.test(attachment.contentType.trim()) ? attachment.contentType.trim() : "application/octet-stream";
  return new Response(Readable.toWeb(attachment.content) as ReadableStream<Uint8Array>, {
    headers: {
      "Content-Type": contentType,
      "Content-Disposition": attachmentDisposition(attachment.filename),
      "X-Content-Type-Options": "nosniff",
      "Content-Security-Policy": "default-src 'none'; sandbox",
      "Cache-Control": "private, no-store",
    },
  });
}
