import { AppError } from "@/lib/errors";
import { getRawSource } from "@/lib/emails/get-raw-source";
import { getDb } from "@/lib/server/db";
import { getActor } from "@/lib/server/session";

const NOT_FOUND = () => new Response("Not found", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" } });

/**
 * Downloads a stored message's raw source as `message-<id>.eml` (checked like the
 * message page: mail the actor may not read is 404). Served as a download with
 * nosniff and a sandboxing CSP, so a browser never renders the hostile content.
 */
export async function GET(_request: Request, { params }: { params: Promise<{ mailboxId: string; emailId: string }> }) {
  const actor = await getActor();
  if (!actor) return NOT_FOUND();
  const { mailboxId, emailId } = await params;
  let source: { id: number; raw: Buffer };
  try {
    source = await getRawSource(getDb(), actor, { mailboxId, emailId });
  } catch (err) {
    if (err instanceof AppError) return NOT_FOUND();
    throw err;
  }
  return new Response(new Uint8Array(source.raw), {
    headers: {
      "Content-Type": "message/rfc822",
      "Content-Disposition": `attachment; filename="message-${source.id}.eml"`,
      "Content-Length": String(source.raw.length),
      "X-Content-Type-Options": "nosniff",
      "Content-Security-Policy": "default-src 'none'; sandbox",
      "Cache-Control": "private, no-store",
    },
  });
}
