/**
 * A table's rows as sorted JSON text, for comparing tables whose row order is not defined.
 *
 * @module
 */
import type { Table } from "npm:apache-arrow@21.2.0";

/** Each row of `table` (only `columns`, when given) as JSON text, sorted. */
export function sortedRows(table: Table, columns?: readonly string[]): string[] {
  return table.toArray().map((row) => {
    const json = row.toJSON() as Record<string, unknown>;
    const value = columns === undefined ? json : columns.map((name) => json[name]);
    return JSON.stringify(
      value,
      (_, item) =>
        typeof item === "bigint"
          ? item.toString()
          : ArrayBuffer.isView(item)
          ? Array.from(item as unknown as ArrayLike<number>)
          : item,
    );
  }).sort();
}
