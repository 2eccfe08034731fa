import type { AddressJson } from "../../db/schema/emails";
import type { Actor } from "../auth/actor";
import type { Db } from "../../db/client";
import { findSendableMailbox, type SendableMailbox } from "./find-sendable-mailbox";
import { loadSourceEmail, type SourceEmail } from "./load-source-email";
import { formatAddressList } from "./parse-address-list";
import { prefixSubject } from "./reply-headers";

/** The words of the quote headers, in the reader's language (the page passes them). */
export type QuoteLabels = {
  /** e.g. "On {date}, {from} wrote:" */
  wrote: string;
  forwarded: string;
  from: string;
  date: string;
  subject: string;
  to: string;
  cc: string;
};

export const ENGLISH_QUOTE_LABELS: QuoteLabels = {
  wrote: "On {date}, {from} wrote:",
  forwarded: "---------- Forwarded message ----------",
  from: "From",
  date: "Date",
  subject: "Subject",
  to: "To",
  cc: "Cc",
};

export type ComposeDraft = {
  mailbox: SendableMailbox;
  mode: "new" | "reply" | "forward";
  /** The stored message replied to or forwarded. */
  sourceEmailId: number | null;
  to: string;
  cc: string;
  subject: string;
  body: string;
  /** A forward's attachments (taken from the stored raw source when sent), all included unless unticked. */
  forwardAttachments: Array<{ position: number; filename: string; contentType: string; sizeBytes: number }>;
};

/**
 * What the New email form starts with: empty, or a reply (to the Reply-To or
 * sender, "Re:" subject, the text quoted) or a forward ("Fwd:" subject, the
 * original's headers and text, its attachments) of a message stored in this
 * mailbox. Checks that `actor` may send from the mailbox and read the message.
 */
export async function composeDraft(
  db: Db,
  actor: Actor | null,
  input: { mailboxId: string; replyTo?: string; forward?: string; labels?: QuoteLabels; formatDate?: (d: Date) => string },
): Promise<ComposeDraft> {
  const mailbox = await findSendableMailbox(db, actor, input.mailboxId);
  const labels = input.labels ?? ENGLISH_QUOTE_LABELS;
  const formatDate = input.formatDate ?? ((d: Date) => d.toUTCString());
  const empty: ComposeDraft = { mailbox, mode: "new", sourceEmailId: null, to: "", cc: "", subject: "", body: "", forwardAttachments: [] };
  const sourceId = input.replyTo || input.forward;
  if (!sourceId) return empty;
  const source = await loadSourceEmail(db, actor, { mailboxId: mailbox.id, emailId: sourceId });
  const date = formatDate(source.sentAt ?? source.storedAt);
  if (input.replyTo) {
    const to = source.replyTo.length > 0 ? source.replyTo : [source.from];
    const wrote = labels.wrote.replace("{date}", date).replace("{from}", person(source.from));
    return { ...empty, mode: "reply", sourceEmailId: source.id, to: formatAddressList(to.filter((a) => a.address)), subject: prefixSubject("Re", source.subject), body: `\n\n${wrote}\n${quote(source.textBody ?? "")}` };
  }
  return {
    ...empty,
    mode: "forward",
    sourceEmailId: source.id,
    subject: prefixSubject("Fwd", source.subject),
    body: `\n\n${forwardedHeader(source, labels, date)}\n\n${source.textBody ?? ""}`,
    forwardAttachments: source.attachments.map(({ position, filename, contentType, sizeBytes }) => ({ position, filename, contentType, sizeBytes })),
  };
}

function person(a: AddressJson): string {
  return a.name ? `${a.name} <${a.address}>` : a.address;
}

/** Each line of the original prefixed with "> " (an empty line with ">"). */
function quote(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .replace(/\n+$/, "")
    .split("\n")
    .map((line) => (line === "" ? ">" : `> ${line}`))
    .join("\n");
}

function forwardedHeader(s: SourceEmail, l: QuoteLabels, date: string): string {
  const lines = [l.forwarded, `${l.from}: ${person(s.from)}`, `${l.date}: ${date}`, `${l.subject}: ${s.subject}`, `${l.to}: ${s.to.map(person).join(", ")}`];
  if (s.cc.length > 0) lines.push(`${l.cc}: ${s.cc.map(person).join(", ")}`);
  return lines.join("\n");
}
