import { getTableName } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import type { SealContext } from "./sealed-format";

/** The place a sealed value lives, from the schema's column (no hand-typed names) and its row's key. */
export function sealContext(column: AnyPgColumn, row: string): SealContext {
  return { table: getTableName(column.table), column: column.name, row };
}
