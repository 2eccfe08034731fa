import fs from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { buildProcess } from "../../scripts/build-processes";
import { startTestPostgres } from "./postgres-server";

/**
 * Runs once per `vitest run`: starts (or connects to) Postgres and migrates a
 * template database that every test file copies (tests/harness/db.ts), and builds
 * the worker as npm start does (scripts/build-processes.ts), into a folder of this run's
 * own, so the tests start the same JavaScript a production worker runs.
 */
export default async function setup(project: TestProject) {
  const root = path.resolve(import.meta.dirname, "../..");
  const [pg, workerEntry] = await Promise.all([startTestPostgres(), buildProcess(root, "worker", `test-worker-${process.pid}`)]);
  project.provide("pgAdminUrl", pg.adminUrl);
  project.provide("pgTemplate", pg.template);
  project.provide("workerEntry", workerEntry);
  return async () => {
    fs.rmSync(path.dirname(workerEntry), { recursive: true, force: true });
    await pg.stop();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplate: string;
    workerEntry: string;
  }
}
