/** `npm run db:migrate`: applies the committed migrations to DATABASE_URL. */
import { runMigrations } from "../db/migrate";
import { env } from "../lib/env";

await runMigrations(env().DATABASE_URL);
console.log("migrations applied");
