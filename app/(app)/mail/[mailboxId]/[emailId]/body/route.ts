import type { NextRequest } from "next/server";
import { AppError } from "@/lib/errors";
import { emailBodyCsp } from "@/lib/emails/email-body-csp";
import { getEmail, type EmailView } from "@/lib/emails/get-email";
import { getInlineImages } from "@/lib/emails/get-inline-images";
import { renderEmailBody } from "@/lib/emails/render-email-body";
import { getDb } from "@/lib/server/db";
import { getActor } from "@/lib/server/session";

const NOT_FOUND = () => new Response("Not found", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" } });

/**
 * The sanitised HTML of one message, for the message page's sandboxed frame. The
 * CSP lets nothing run and nothing load but data: images (its inline images are
 * embedded: the frame's requests carry no session cookie) and https images when
 * `?images=1`; mail the actor may not read is 404.
 */
export async function GET(request: NextRequest, { params }: { params: Promise<{ mailboxId: string; emailId: string }> }) {
  const actor = await getActor();
  if (!actor) return NOT_FOUND();
  const { mailboxId, emailId } = await params;
  let email: EmailView;
  let images: Map<number, string>;
  try {
    email = await getEmail(getDb(), actor, { mailboxId, emailId });
    // Only the images the HTML refers to by cid are decoded.
    const html = email.htmlBody ?? "";
    const positions = email.attachments.filter((a) => a.contentId && html.includes(a.contentId.replace(/^<|>$/g, ""))).map((a) => a.position);
    images = await getInlineImages(getDb(), actor, { mailboxId, emailId, positions });
  } catch (err) {
    if (err instanceof AppError) return NOT_FOUND();
    throw err;
  }
  const allowRemote = request.nextUrl.searchParams.get("images") === "1";
  const body = renderEmailBody(email, { allowRemote, cidImage: (position) => images.get(position) ?? null });
  const html =
    '<!doctype html><html><head><meta charset="utf-8">' +
    "<style>body{font-family:system-ui,sans-serif;font-size:14px;margin:8px;overflow-wrap:anywhere}img{max-width:100%}</style>" +
    `</head><body>${body?.html ?? ""}</body></html>`;
  return new Response(html, {
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": emailBodyCsp(allowRemote),
      "X-Content-Type-Options": "nosniff",
      "X-Frame-Options": "SAMEORIGIN",
      "Referrer-Policy": "no-referrer",
      "Cache-Control": "private, no-store",
    },
  });
}
