/** `npm run db:migrate`: applies the committed migrations to DATABASE_URL. */
import { runMigrations } from "../db/migrate";
import { databaseUrl } from "../lib/env";

await runMigrations(databaseUrl());
console.log("migrations applied");
