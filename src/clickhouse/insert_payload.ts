/**
 * Serialises data to insert: an Arrow table to Arrow IPC stream bytes, plain rows to
 * JSONEachRow. Both engines send these bytes; ClickHouse matches columns by name.
 *
 * @module
 */
import { type Table, tableToIPC } from "npm:apache-arrow@21.2.0";
import type { InsertData } from "../types.ts";
import { arrayElementType, dateText } from "./date_text.ts";

/** Bytes to insert, their ClickHouse format and the columns they carry. */
export interface InsertPayload {
  /** `ArrowStream` for a table, `JSONEachRow` for rows. */
  format: "ArrowStream" | "JSONEachRow";
  /** The serialised data. */
  bytes: Uint8Array;
  /** Number of rows. */
  numRows: number;
}

function isRows(data: InsertData): data is readonly Readonly<Record<string, unknown>>[] {
  return Array.isArray(data);
}

/**
 * The column names present in the data: an Arrow table's fields, or every key of any row.
 *
 * @example
 * ```ts
 * import { insertColumns } from "./insert_payload.ts";
 * console.assert(insertColumns([{ a: 1 }, { b: 2 }]).join() === "a,b");
 * ```
 */
export function insertColumns(data: InsertData): string[] {
  if (!isRows(data)) return (data as Table).schema.fields.map((field) => field.name);
  const columns = new Set<string>();
  for (const row of data) for (const key of Object.keys(row)) columns.add(key);
  return [...columns];
}

function jsonValue(value: unknown, type: string | undefined, column: string): unknown {
  if (value instanceof Date) return dateText(value, type, `column: ${column}`);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number" && !Number.isFinite(value)) {
    throw new TypeError(`Non-finite number in column: ${column} (insert an Arrow table instead)`);
  }
  if (Array.isArray(value)) {
    const element = type === undefined ? undefined : arrayElementType(type);
    return value.map((item) => jsonValue(item, element, column));
  }
  return value;
}

/**
 * Serialises an Arrow table or rows for insertion. Row values may be strings, numbers,
 * bigints, booleans, null, Dates and arrays of these; a Date is written by its column's
 * type in `columnTypes` (`YYYY-MM-DD` for Date, Unix seconds for DateTime).
 *
 * @example
 * ```ts
 * import { insertPayload } from "./insert_payload.ts";
 * const types = new Map([["id", "UInt64"], ["day", "Date"]]);
 * const payload = insertPayload([{ id: 1n, day: new Date("2024-05-01T00:00:00Z") }], types);
 * const text = new TextDecoder().decode(payload.bytes);
 * console.assert(text === '{"id":"1","day":"2024-05-01"}');
 * ```
 */
export function insertPayload(
  data: InsertData,
  columnTypes: ReadonlyMap<string, string>,
): InsertPayload {
  if (!isRows(data)) {
    const table = data as Table;
    return { format: "ArrowStream", bytes: tableToIPC(table, "stream"), numRows: table.numRows };
  }
  const lines = data.map((row) => {
    const converted: Record<string, unknown> = {};
    for (const [column, value] of Object.entries(row)) {
      converted[column] = jsonValue(value, columnTypes.get(column), column);
    }
    return JSON.stringify(converted);
  });
  return {
    format: "JSONEachRow",
    bytes: new TextEncoder().encode(lines.join("\n")),
    numRows: data.length,
  };
}
