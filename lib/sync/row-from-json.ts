import { getTableColumns, type Table } from "drizzle-orm";

/**
 * A table's row as drizzle selects it (camel-case keys, Dates, parsed JSON), from the
 * `to_jsonb(alias.*)` of that row: lets one statement return whole rows of two tables
 * (the claim returns each mailbox with its profile) without their column names clashing.
 */
export function rowFromJson<T extends Table>(table: T, json: Record<string, unknown>): T["$inferSelect"] {
  const out: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    const value = json[column.name];
    out[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return out as T["$inferSelect"];
}
