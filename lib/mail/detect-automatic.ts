import type { DsnRecipient } from "../../db/schema/emails";

/** What kind of automatic mail a message is; null for mail a person wrote. */
export type AutoKind = "auto_reply" | "auto_generated" | "bulk" | "bounce";

export type AutomaticMail = { kind: AutoKind; reason: string };

/** Subjects of vacation and out-of-office replies sent without any marker header. */
const VACATION_SUBJECT = /^\s*(automatic reply|auto(matic)?[- ]?(reply|response)|out of (the )?office|on vacation|abwesenheitsnotiz|réponse automatique|自動応答|自動返信|不在)\s*[:：]?/i;

/** Local parts that only mail systems send from (RFC 3464 §2 leaves the sender to the MTA). */
const MAIL_SYSTEM_SENDER = /^(mailer-daemon|postmaster)@/i;

type Headers = Map<string, unknown>;

function headerText(headers: Headers, name: string): string | null {
  const v = headers.get(name);
  if (typeof v === "string") return v.trim();
  if (Array.isArray(v) && typeof v[0] === "string") return v[0].trim();
  if (v && typeof v === "object" && "value" in v && typeof (v as { value: unknown }).value === "string") return (v as { value: string }).value.trim();
  return null;
}

/**
 * Whether a message was sent by a machine, from its headers (mailparser's map,
 * lower-cased names): a delivery status notification (multipart/report;
 * report-type=delivery-status, RFC 3464, or a MAILER-DAEMON sender) is a bounce;
 * RFC 3834 `Auto-Submitted` other than `no` is an auto-reply (auto-replied) or
 * auto-generated; `X-Auto-Response-Suppress` (Exchange) and `X-Autoreply` /
 * `X-Autorespond` or a vacation subject mark auto-replies; `Precedence: bulk,
 * junk or list` marks bulk mail. The first rule that matches wins, in that order,
 * and its header is the reason shown.
 */
export function detectAutomatic(headers: Headers, from: string | null, subject: string): AutomaticMail | null {
  const contentType = headers.get("content-type") as { value?: string; params?: Record<string, string> } | undefined;
  const type = contentType?.value?.toLowerCase();
  const reportType = contentType?.params?.["report-type"]?.toLowerCase();
  if (type === "multipart/report" && (reportType === "delivery-status" || reportType === "global-delivery-status")) {
    return { kind: "bounce", reason: `Content-Type: multipart/report; report-type=${reportType}` };
  }
  if (from && MAIL_SYSTEM_SENDER.test(from)) return { kind: "bounce", reason: `From: ${from}` };
  const autoSubmitted = headerText(headers, "auto-submitted");
  if (autoSubmitted && !/^no\b/i.test(autoSubmitted)) {
    const kind = /^auto-replied\b/i.test(autoSubmitted) ? "auto_reply" : "auto_generated";
    return { kind, reason: `Auto-Submitted: ${autoSubmitted.slice(0, 100)}` };
  }
  const suppress = headerText(headers, "x-auto-response-suppress");
  if (suppress) return { kind: "auto_generated", reason: `X-Auto-Response-Suppress: ${suppress.slice(0, 100)}` };
  for (const [name, shown] of [["x-autoreply", "X-Autoreply"], ["x-autorespond", "X-Autorespond"], ["x-autoresponder", "X-Autoresponder"]]) {
    const v = headerText(headers, name);
    if (v !== null && !/^no\b/i.test(v)) return { kind: "auto_reply", reason: `${shown}: ${v.slice(0, 100)}` };
  }
  if (VACATION_SUBJECT.test(subject)) return { kind: "auto_reply", reason: `Subject: ${subject.slice(0, 100)}` };
  const precedence = headerText(headers, "precedence")?.toLowerCase();
  if (precedence && /^(bulk|junk|list)\b/.test(precedence)) return { kind: "bulk", reason: `Precedence: ${precedence.slice(0, 100)}` };
  return null;
}

/**
 * The per-recipient reports of a delivery status notification (RFC 3464 §2.3):
 * the message/delivery-status part of a multipart/report found in the raw source
 * by its boundary, its blocks after the per-message one read for Final-Recipient
 * (else Original-Recipient), Action, Status and Diagnostic-Code. Returns [] when
 * there is no such part (a headers-only oversized copy, a malformed report).
 */
export function parseDeliveryStatus(raw: Buffer, boundary: string | undefined): DsnRecipient[] {
  if (!boundary) return [];
  const text = raw.toString("latin1");
  const parts = text.split(`--${boundary}`);
  for (const part of parts.slice(1)) {
    const split = part.search(/\r?\n\r?\n/);
    if (split < 0) continue;
    const partHeaders = part.slice(0, split);
    if (!/^content-type:\s*message\/(global-)?delivery-status/im.test(partHeaders)) continue;
    let body = part.slice(split).replace(/^\r?\n\r?\n/, "");
    if (/^content-transfer-encoding:\s*base64/im.test(partHeaders)) body = Buffer.from(body.replace(/\s+/g, ""), "base64").toString("latin1");
    const blocks = body.replace(/\r\n/g, "\n").replace(/\n[ \t]+/g, " ").split(/\n\s*\n/);
    const out: DsnRecipient[] = [];
    for (const block of blocks.slice(1)) {
      const fields = new Map<string, string>();
      for (const line of block.split("\n")) {
        const colon = line.indexOf(":");
        if (colon > 0) fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
      const recipient = fields.get("final-recipient") ?? fields.get("original-recipient");
      if (!recipient) continue;
      const address = recipient.replace(/^[^;]*;/, "").trim().replace(/^<|>$/g, "");
      out.push({
        address: address.slice(0, 320),
        action: (fields.get("action") ?? "").toLowerCase().slice(0, 40),
        status: (fields.get("status")?.match(/\d\.\d{1,3}\.\d{1,3}/)?.[0] ?? "").slice(0, 20),
        diagnostic: fields.get("diagnostic-code")?.slice(0, 500) ?? null,
      });
      if (out.length >= 100) break;
    }
    return out;
  }
  return [];
}

/** The addresses a notification says failed for good (action failed, status 5.x.x), lower-cased. */
export function permanentlyBounced(recipients: DsnRecipient[]): string[] {
  return [...new Set(recipients.filter((r) => r.action === "failed" && r.status.startsWith("5")).map((r) => r.address.toLowerCase()))];
}
