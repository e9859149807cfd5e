/**
 * Serialises data to insert: an Arrow table to Arrow IPC stream bytes, plain rows to
 * JSONEachRow. Both engines send these bytes; ClickHouse matches columns by name.
 *
 * @module
 */
import { type Table, tableToIPC } from "npm:apache-arrow@21.2.0";
import type { InsertData } from "../types.ts";

/** Bytes to insert, their ClickHouse format and the columns they carry. */
export interface InsertPayload {
  /** `ArrowStream` for a table, `JSONEachRow` for rows. */
  format: "ArrowStream" | "JSONEachRow";
  /** The serialised data. */
  bytes: Uint8Array;
  /** Column names present in the data. */
  columns: readonly string[];
  /** Number of rows. */
  numRows: number;
}

function isRows(data: InsertData): data is readonly Readonly<Record<string, unknown>>[] {
  return Array.isArray(data);
}

function jsonValue(this: unknown, key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number" && !Number.isFinite(value)) {
    throw new TypeError(`Non-finite number in column: ${key} (insert an Arrow table instead)`);
  }
  return value;
}

/**
 * Serialises an Arrow table or rows for insertion. Row values may be strings, numbers,
 * bigints, booleans, null, Dates (written as ISO text) and arrays of these.
 *
 * @example
 * ```ts
 * import { insertPayload } from "./insert_payload.ts";
 * const payload = insertPayload([{ id: 1n, name: "a" }]);
 * console.assert(payload.format === "JSONEachRow" && payload.columns.length === 2);
 * ```
 */
export function insertPayload(data: InsertData): InsertPayload {
  if (!isRows(data)) {
    const table = data as Table;
    return {
      format: "ArrowStream",
      bytes: tableToIPC(table, "stream"),
      columns: table.schema.fields.map((field) => field.name),
      numRows: table.numRows,
    };
  }
  const columns = new Set<string>();
  const lines: string[] = [];
  for (const row of data) {
    for (const key of Object.keys(row)) columns.add(key);
    lines.push(JSON.stringify(row, jsonValue));
  }
  return {
    format: "JSONEachRow",
    bytes: new TextEncoder().encode(lines.join("\n")),
    columns: [...columns],
    numRows: data.length,
  };
}
