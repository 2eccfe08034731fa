import type { TestProject } from "vitest/node";
import { startTestPostgres } from "./postgres-server";

/**
 * Runs once per `vitest run`: starts (or connects to) Postgres and migrates a
 * template database that every test file copies (tests/harness/db.ts).
 */
export default async function setup(project: TestProject) {
  const pg = await startTestPostgres();
  project.provide("pgAdminUrl", pg.adminUrl);
  project.provide("pgTemplate", pg.template);
  return async () => {
    await pg.stop();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplate: string;
  }
}
