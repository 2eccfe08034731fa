import { PassThrough, type Readable } from "node:stream";
import { MailParser, type AttachmentStream } from "mailparser";

/**
 * Re-parses a raw message and streams the decoded content of the first attachment
 * `pick` chooses (given mailparser's part id and the attachment's index in parse
 * order). Resolves when that attachment starts, or with null when the message has
 * none such (or cannot be parsed). The other attachments are skipped unread.
 */
export function openMessagePart(raw: Buffer, pick: (partId: string | null, index: number) => boolean): Promise<Readable | null> {
  return new Promise((resolve) => {
    // As the sync engine parses (lib/mail/parse-message.ts), so part ids and order match; no derived renderings.
    const parser = new MailParser({ skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true, checksumAlgo: false });
    let index = 0;
    let out: PassThrough | null = null;
    parser.on("data", (data: { type: string }) => {
      if (data.type !== "attachment") return;
      const attachment = data as AttachmentStream;
      if (!out && pick(attachment.partId ?? null, index++)) {
        out = new PassThrough();
        attachment.content.on("error", (err) => out?.destroy(err));
        attachment.content.once("end", () => attachment.release?.());
        attachment.content.pipe(out);
        resolve(out);
      } else {
        // Released unread: mailparser drains it and moves on.
        attachment.release?.();
      }
    });
    parser.on("error", (err) => {
      if (out) out.destroy(err);
      else resolve(null);
    });
    parser.on("end", () => {
      if (!out) resolve(null);
    });
    parser.end(raw);
  });
}
