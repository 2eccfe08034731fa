import { createHash } from "node:crypto";
import type { DsnRecipient } from "../../db/schema/emails";
import { detectAutomatic, parseDeliveryStatus, type AutomaticMail } from "./detect-automatic";
import { searchPairs } from "../emails/search-pairs";
import { MailParser, type AddressObject, type AttachmentStream, type EmailAddress, type MessageText } from "mailparser";

export type ParsedAddress = { name: string; address: string };

/** Where an attachment sits in the raw source, so it can be served from there (never stored twice). */
export type AttachmentMeta = {
  filename: string;
  contentType: string;
  /** Decoded size in bytes. */
  sizeBytes: number;
  contentId: string | null;
  /** IMAP-style MIME part number ("2", "1.2"); "1" for a message that is a single attachment. */
  partPath: string;
};

/** What the worker stores about a message besides its raw source. */
export type ParsedMessage = {
  messageId: string | null;
  from: ParsedAddress | null;
  to: ParsedAddress[];
  cc: ParsedAddress[];
  replyTo: ParsedAddress[];
  subject: string;
  date: Date | null;
  /** The date of the newest Received: header (when the last server took it), or null. */
  receivedAt: Date | null;
  inReplyTo: string | null;
  references: string | null;
  text: string | null;
  html: string | null;
  attachments: AttachmentMeta[];
  /** Why the message could not be parsed (whatever headers were read are kept); null when it parsed. */
  parseError: string | null;
  /** Sent by a machine (auto-reply, bounce, bulk), with the header that says so; null for a person's mail. */
  automatic: AutomaticMail | null;
  /** A delivery status notification's per-recipient reports; [] otherwise. */
  dsn: DsnRecipient[];
  /**
   * The search's CJK character pairs of subject, sender and text (lib/emails/search-pairs.ts), computed
   * here, where the message is parsed (a parse thread during a sync), rather than by Postgres in the
   * storing transaction. Undefined (a message built elsewhere) = computed when storing; whoever changes
   * subject, sender or text afterwards must drop it.
   */
  searchPairs?: string | null;
};

const DEFAULT_PARSE_TIMEOUT_MS = 30_000;

/** sha256 of the raw source, hex: what identifies a message's content across a UIDVALIDITY change. */
export function hashSource(raw: Buffer): string {
  return createHash("sha256").update(raw).digest("hex");
}

/**
 * Parses a raw message with mailparser's streaming parser: headers, text and HTML
 * bodies, and attachment metadata. Attachment contents are read and dropped as
 * they stream by (their size counted), so nothing but the raw source is held
 * whole. Never throws: a message the parser rejects (or that takes longer than
 * `timeoutMs`) comes back with `parseError` set and whatever was read before.
 * Strings are cleaned of NUL characters, which Postgres text cannot hold.
 */
export function parseMessage(raw: Buffer, opts: { timeoutMs?: number } = {}): Promise<ParsedMessage> {
  const result: ParsedMessage = {
    messageId: null,
    from: null,
    to: [],
    cc: [],
    replyTo: [],
    subject: "",
    date: null,
    receivedAt: null,
    inReplyTo: null,
    references: null,
    text: null,
    html: null,
    attachments: [],
    parseError: null,
    automatic: null,
    dsn: [],
  };
  return new Promise((resolve) => {
    let settled = false;
    const finish = (error?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error !== undefined) {
        result.parseError = clean(error instanceof Error ? error.message : String(error)).slice(0, 500) || "unknown parser error";
        parser.removeAllListeners("data");
        parser.on("error", () => {});
        parser.destroy();
      }
      result.searchPairs = searchPairs({ subject: result.subject, fromAddress: result.from?.address ?? "", fromName: result.from?.name ?? "", text: result.text });
      resolve(result);
    };
    const timer = setTimeout(() => finish(new Error(`parsing took longer than ${opts.timeoutMs ?? DEFAULT_PARSE_TIMEOUT_MS} ms`)), opts.timeoutMs ?? DEFAULT_PARSE_TIMEOUT_MS);
    // Skip the derived renderings (text→HTML, HTML→text, link detection): the app shows the parts as sent.
    const parser = new MailParser({ skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true, checksumAlgo: false });
    parser.on("headers", (headers) => {
      const h = headers as Map<string, unknown>;
      result.messageId = oneLine(h.get("message-id"));
      result.from = addresses(h.get("from"))[0] ?? null;
      result.to = addresses(h.get("to"));
      result.cc = addresses(h.get("cc"));
      result.replyTo = addresses(h.get("reply-to"));
      result.subject = clean(typeof h.get("subject") === "string" ? (h.get("subject") as string) : "");
      const date = h.get("date");
      // Years outside 1–9999 serialise as "+099999-…", which Postgres refuses: treat them as no date.
      result.date = date instanceof Date && !Number.isNaN(date.getTime()) && date.getUTCFullYear() >= 1 && date.getUTCFullYear() <= 9999 ? date : null;
      result.receivedAt = newestReceived(h.get("received"));
      result.inReplyTo = oneLine(h.get("in-reply-to"));
      const refs = h.get("references");
      const refText = Array.isArray(refs) ? refs.join(" ") : typeof refs === "string" ? refs : "";
      result.references = clean(refText).trim().slice(0, 10_000) || null;
      result.automatic = detectAutomatic(h, result.from?.address ?? null, result.subject);
      if (result.automatic?.kind === "bounce") {
        const boundary = (h.get("content-type") as { params?: Record<string, string> } | undefined)?.params?.boundary;
        result.dsn = parseDeliveryStatus(raw, boundary).map((r) => ({ ...r, address: clean(r.address), diagnostic: r.diagnostic && clean(r.diagnostic) }));
      }
    });
    parser.on("data", (data: AttachmentStream | MessageText) => {
      if (data.type === "attachment") {
        let size = 0;
        data.content.on("data", (chunk: Buffer) => (size += chunk.length));
        data.content.on("error", () => {}); // reported through the parser's own error event
        data.content.on("end", () => {
          result.attachments.push({
            filename: clean(data.filename ?? "") || "attachment",
            contentType: clean(data.contentType || "application/octet-stream"),
            sizeBytes: size,
            contentId: data.contentId ? clean(data.contentId) : null,
            partPath: data.partId || "1",
          });
          data.release?.();
        });
      } else if (data.type === "text") {
        result.text = typeof data.text === "string" ? clean(data.text) : null;
        result.html = typeof data.html === "string" ? clean(data.html) : null;
      }
    });
    parser.on("error", (err) => finish(err));
    parser.on("end", () => finish());
    feed(parser, raw, () => settled);
  });
}

/** Bytes handed to the parser at a time. */
const FEED_SLICE = 64 * 1024;

/**
 * Writes `raw` into the parser in slices, waiting for it to drain: handed a whole
 * 25 MB source at once, mailparser splits and decodes all of it before anything
 * downstream runs, holding ~3× the source in intermediate buffers. Slices
 * (views, not copies) keep that to a few slices' worth.
 */
function feed(parser: MailParser, raw: Buffer, stopped: () => boolean): void {
  let offset = 0;
  const next = () => {
    while (offset < raw.length) {
      if (stopped()) return;
      const end = Math.min(raw.length, offset + FEED_SLICE);
      const more = parser.write(raw.subarray(offset, end));
      offset = end;
      if (!more) {
        parser.once("drain", next);
        return;
      }
    }
    if (!stopped()) parser.end();
  };
  next();
}

const NUL = /\u0000/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Makes a string storable in Postgres text and jsonb: no NUL, no lone UTF-16 surrogate. */
function clean(s: string): string {
  return s.replace(NUL, "").replace(LONE_SURROGATE, "\uFFFD");
}

/** A single-line header value; capped so it fits a btree index entry (Message-ID is indexed). */
function oneLine(v: unknown): string | null {
  if (typeof v !== "string") return null;
  const s = clean(v).trim().slice(0, 998);
  return s === "" ? null : s;
}

/**
 * The date of the topmost Received: header — the last hop, added by the server that
 * delivered the message into the mailbox: `…; Tue, 1 Dec 2026 10:00:00 +0000`.
 */
function newestReceived(v: unknown): Date | null {
  const top = Array.isArray(v) ? v[0] : v;
  if (typeof top !== "string") return null;
  const semi = top.lastIndexOf(";");
  if (semi < 0) return null;
  const d = new Date(top.slice(semi + 1).replace(/\([^)]*\)/g, "").trim());
  return Number.isNaN(d.getTime()) || d.getUTCFullYear() < 1970 || d.getUTCFullYear() > 9999 ? null : d;
}

function addresses(v: unknown): ParsedAddress[] {
  const objects = (Array.isArray(v) ? v : v ? [v] : []) as AddressObject[];
  const out: ParsedAddress[] = [];
  const walk = (list: EmailAddress[] | undefined) => {
    for (const a of list ?? []) {
      if (a.group) walk(a.group);
      else if (a.address || a.name) out.push({ name: clean(a.name ?? ""), address: clean(a.address ?? "") });
    }
  };
  for (const o of objects) walk(o?.value);
  return out;
}
