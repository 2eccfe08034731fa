import { IngestRefusal } from "./ingest-refusal";

/**
 * Reads a request body into one buffer, refusing (IngestRefusal "too_large") as
 * soon as it passes `limit` bytes — without reading the rest — or at once when the
 * declared Content-Length already does.
 */
export async function readLimitedBody(body: ReadableStream<Uint8Array> | null, declaredLength: string | null, limit: number): Promise<Buffer> {
  if (declaredLength !== null && Number(declaredLength) > limit) throw new IngestRefusal("too_large", { max: limit });
  if (!body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw new IngestRefusal("too_large", { max: limit });
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}
