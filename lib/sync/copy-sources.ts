import { once } from "node:events";
import type { Writable } from "node:stream";
import type { Sql } from "postgres";
import type { Tx } from "../../db/client";

/** Bytes handed to the COPY stream at a time: big sources go out in slices, small ones are gathered up to this. */
const SLICE = 256 * 1024;

/** PGCOPY binary header: signature, flags (int32 0), header extension length (int32 0). */
const HEADER = Buffer.concat([Buffer.from("PGCOPY\n\xff\r\n\0", "latin1"), Buffer.alloc(8)]);
/** File trailer: a field count of -1. */
const TRAILER = Buffer.from([0xff, 0xff]);

/**
 * Writes raw sources into email_sources with `COPY … FROM STDIN (FORMAT binary)` on the
 * transaction's own connection, so they commit or roll back with the rest of the batch.
 * Why not an INSERT: postgres.js sends every parameter as text, so a bytea goes out as a
 * hex string twice its size (a 25 MB source became a 50 MB string plus a growing wire
 * buffer, ~150 MB of extra memory, and Postgres then parses the hex). COPY binary sends
 * the bytes as they are, in slices, so memory stays near the source's own size.
 */
export async function copySources(tx: Tx, rows: Array<{ emailId: number; raw: Buffer }>): Promise<void> {
  if (rows.length === 0) return;
  const sql = txClient(tx);
  const stream: Writable = await sql`copy email_sources (email_id, raw) from stdin (format binary)`.writable();
  const done = new Promise<void>((resolve, reject) => {
    stream.once("error", reject);
    stream.once("finish", resolve);
  });
  done.catch(() => {}); // awaited below; an early error must not go unhandled meanwhile
  const write = async (chunk: Buffer) => {
    if (!stream.write(chunk)) await Promise.race([once(stream, "drain"), done]);
  };
  let pending: Buffer[] = [HEADER];
  let pendingBytes = HEADER.length;
  const flush = async () => {
    if (pendingBytes === 0) return;
    const chunk = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    await write(chunk);
  };
  for (const { emailId, raw } of rows) {
    // Tuple: 2 fields; int8 email_id (8 bytes); bytea raw (its length, then the bytes).
    const head = Buffer.alloc(2 + 4 + 8 + 4);
    head.writeInt16BE(2, 0);
    head.writeInt32BE(8, 2);
    head.writeBigInt64BE(BigInt(emailId), 6);
    head.writeInt32BE(raw.length, 14);
    pending.push(head);
    pendingBytes += head.length;
    if (pendingBytes + raw.length <= SLICE) {
      pending.push(raw);
      pendingBytes += raw.length;
      continue;
    }
    await flush();
    // subarray: views, not copies, of the source.
    for (let off = 0; off < raw.length; off += SLICE) await write(raw.subarray(off, Math.min(raw.length, off + SLICE)));
  }
  pending.push(TRAILER);
  pendingBytes += TRAILER.length;
  await flush();
  stream.end();
  await done;
}

/** The postgres.js client a drizzle transaction runs on (its reserved connection). */
function txClient(tx: Tx): Sql {
  const client = (tx as unknown as { session?: { client?: Sql } }).session?.client;
  if (!client) throw new Error("copySources needs a drizzle postgres-js transaction");
  return client;
}
