// A separate process that asks for one OAuth access token through the credential
// seam, as a worker would: `node --import tsx token-process.ts <source JSON> <start at ms>`.
// Waits until the start time (so two processes race), then prints {"token": sha256}.
import { createHash } from "node:crypto";
import { createDb } from "../../../db/client";
import { getAccessToken } from "../../../lib/credentials/get-access-token";

const [source, startAt] = [JSON.parse(process.argv[2]), Number(process.argv[3])];
const { db, close } = createDb(process.env.DATABASE_URL!, { max: 2 });
await db.execute("select 1"); // connected before the start line
await new Promise((r) => setTimeout(r, Math.max(0, startAt - Date.now())));
try {
  const token = await getAccessToken(db, source);
  process.stdout.write(JSON.stringify({ token: createHash("sha256").update(token).digest("hex") }) + "\n");
} catch (err) {
  process.stdout.write(JSON.stringify({ error: String((err as Error).message) }) + "\n");
} finally {
  await close();
}
