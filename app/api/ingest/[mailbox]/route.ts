import { NextResponse } from "next/server";
import { env } from "@/lib/env";
import { ingestMessage } from "@/lib/ingest/ingest-message";
import { IngestRefusal } from "@/lib/ingest/ingest-refusal";
import { readLimitedBody } from "@/lib/ingest/read-limited-body";
import { translator } from "@/lib/i18n/translate";
import type { MessageKey } from "@/lib/i18n/catalog";
import { getDb } from "@/lib/server/db";

export const dynamic = "force-dynamic";

/**
 * Email-router ingest: POST the raw RFC 5322 message as the body, with the
 * mailbox's ingest token as a bearer token. 202 {id, duplicate} once stored (a
 * message handed in again gets the same id); a refusal is a 4xx with
 * {error: code, message} (English: the caller is a mail server) and stores nothing.
 */
export async function POST(req: Request, { params }: { params: Promise<{ mailbox: string }> }) {
  const { mailbox } = await params;
  const auth = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.get("authorization") ?? "");
  try {
    const result = await ingestMessage(getDb(), {
      mailboxId: mailbox,
      token: auth?.[1] ?? null,
      readBody: (limit) => readLimitedBody(req.body, req.headers.get("content-length"), limit),
      maxMessageBytes: env().MAILROOM_MAX_MESSAGE_BYTES,
    });
    return NextResponse.json(result, { status: 202, headers: { "cache-control": "no-store" } });
  } catch (err) {
    if (!(err instanceof IngestRefusal)) throw err;
    const message = translator("en")(`ingest.refused.${err.code}` as MessageKey, err.params);
    return NextResponse.json({ error: err.code, message }, { status: err.status, headers: { "cache-control": "no-store" } });
  }
}
