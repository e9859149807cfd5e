/**
 * Checks an insert's target before sending data: the database and table exist and every
 * column of the data is an insertable column of the table (not MATERIALIZED or ALIAS);
 * returns the ClickHouse type of each of those columns.
 *
 * @module
 */
import { RiskTrainError } from "../errors.ts";
import type { ClickHouse } from "../types.ts";

const TARGET_SQL = "SELECT name, type, default_kind FROM system.columns " +
  "WHERE database = {database:String} AND table = {table:String}";
const DATABASE_SQL = "SELECT name FROM system.databases WHERE name = {database:String}";

/**
 * The types of `columns` in `database.table`, by name. Throws DATABASE_NOT_FOUND,
 * TABLE_NOT_FOUND or DATA_INVALID (naming the column and the table's columns) unless
 * `columns` can be inserted there.
 *
 * @example
 * ```ts ignore
 * import { insertColumnTypes } from "./insert_target.ts";
 * const types = await insertColumnTypes(clickhouse, "default", "t", ["id", "name"]);
 * ```
 */
export async function insertColumnTypes(
  clickhouse: ClickHouse,
  database: string,
  table: string,
  columns: readonly string[],
  signal?: AbortSignal,
): Promise<Map<string, string>> {
  const target = await clickhouse.query(TARGET_SQL, { params: { database, table }, signal });
  if (target.numRows === 0) {
    const found = await clickhouse.query(DATABASE_SQL, { params: { database }, signal });
    if (found.numRows === 0) {
      throw new RiskTrainError("DATABASE_NOT_FOUND", `Database not found: ${database}`);
    }
    throw new RiskTrainError("TABLE_NOT_FOUND", `Table not found: ${database}.${table}`);
  }
  const names = [...target.getChild("name")!] as string[];
  const types = [...target.getChild("type")!] as string[];
  const kinds = [...target.getChild("default_kind")!] as string[];
  const insertable = new Map<string, string>();
  names.forEach((name, i) => {
    if (kinds[i] !== "MATERIALIZED" && kinds[i] !== "ALIAS") insertable.set(name, types[i]);
  });
  for (const column of columns) {
    if (!insertable.has(column)) {
      throw new RiskTrainError(
        "DATA_INVALID",
        `Column is not an insertable column of ${database}.${table}: ${column} (expected one of ${
          [...insertable.keys()].join(", ")
        })`,
      );
    }
  }
  return insertable;
}
