import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { generateSecretKey } from "../../../lib/crypto/generate-secret-key";
import { createTestDb, type TestDb } from "../../harness/db";
import { startWorker } from "../sync/worker-process";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t?.close());

test("the worker logs a structured start line, and SIGTERM stops it cleanly with exit code 0", async () => {
  const worker = await startWorker({ DATABASE_URL: t.url, MAILROOM_SECRET_KEY: generateSecretKey("life"), MAILROOM_WORKER_ID: "lifecycle-1" });
  const started = worker
    .output()
    .split("\n")
    .map((line) => {
      try {
        return JSON.parse(line);
      } catch {
        return null;
      }
    })
    .find((l) => l?.msg === "worker started");
  expect(started).toMatchObject({ level: "info", workerId: "lifecycle-1", pid: expect.any(Number) });
  expect(Date.parse(started.time)).not.toBeNaN();

  await worker.stop();
  expect(await worker.exited).toEqual({ code: 0, signal: null });
  expect(worker.output()).toContain('"msg":"worker stopped"');
});

test("a worker without DATABASE_URL refuses to start and says what to set", async () => {
  const { spawnSync } = await import("node:child_process");
  const root = new URL("../../../", import.meta.url).pathname;
  const r = spawnSync(process.execPath, [inject("workerEntry")], { cwd: root, env: { PATH: process.env.PATH ?? "", NODE_ENV: "test" }, encoding: "utf8", timeout: 30_000 });
  expect(r.status).toBe(1);
  expect(r.stdout + r.stderr).toContain("DATABASE_URL is not set");
});
