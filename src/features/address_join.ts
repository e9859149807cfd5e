/**
 * Joins per-address tables (raw_features rows, money-flow aggregates) to alerts on
 * (processing_date, address) with integer keys: each address gets a number once, so the
 * join is one Map of numbers, not of strings.
 *
 * @module
 */
import type { Table } from "npm:apache-arrow@21.2.0";
import { RiskTrainError } from "../errors.ts";
import { dayColumn, stringColumn } from "./arrow_columns.ts";

/** Addresses numbered in order of first appearance. */
export interface AddressIndex {
  /** Address -> number. */
  ids: Map<string, number>;
  /** Number of each alert's address. */
  alertAddress: Int32Array;
}

/**
 * Numbers the alerts' addresses.
 *
 * @example
 * ```ts
 * import { indexAddresses } from "./address_join.ts";
 * const index = indexAddresses(["A", "B", "A"]);
 * console.assert(index.alertAddress.join() === "0,1,0");
 * ```
 */
export function indexAddresses(addresses: readonly string[]): AddressIndex {
  const ids = new Map<string, number>();
  const alertAddress = new Int32Array(addresses.length);
  for (let i = 0; i < addresses.length; i++) {
    let id = ids.get(addresses[i]);
    if (id === undefined) {
      id = ids.size;
      ids.set(addresses[i], id);
    }
    alertAddress[i] = id;
  }
  return { ids, alertAddress };
}

function formatDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/**
 * For each alert, the row of `table` with the alert's (processing_date, address), or -1.
 * Rows of addresses no alert has are ignored; two rows for one (processing_date, address)
 * are a `DATA_INVALID` error naming `source`.
 *
 * @example
 * ```ts
 * import { tableFromArrays } from "npm:apache-arrow@21.2.0";
 * import { indexAddresses, joinAddressDays } from "./address_join.ts";
 * const table = tableFromArrays({ processing_date: Int32Array.of(5), address: ["B"] });
 * const rows = joinAddressDays(table, "t", indexAddresses(["A", "B"]), Int32Array.of(5, 5));
 * console.assert(rows.join() === "-1,0");
 * ```
 */
export function joinAddressDays(
  table: Table,
  source: string,
  index: AddressIndex,
  alertDays: Int32Array,
): Int32Array {
  const rows = new Int32Array(alertDays.length).fill(-1);
  if (table.numRows === 0) return rows;
  const days = dayColumn(table, "processing_date", source);
  const addresses = stringColumn(table, "address", source);
  const width = index.ids.size;
  let minDay = Infinity;
  for (let i = 0; i < alertDays.length; i++) minDay = Math.min(minDay, alertDays[i]);
  const byKey = new Map<number, number>();
  for (let r = 0; r < days.length; r++) {
    const id = index.ids.get(addresses[r]);
    if (id === undefined) continue;
    const key = (days[r] - minDay) * width + id;
    if (byKey.has(key)) {
      throw new RiskTrainError(
        "DATA_INVALID",
        source + " has more than one row for address " + addresses[r] + " on " +
          formatDay(days[r]),
      );
    }
    byKey.set(key, r);
  }
  for (let i = 0; i < alertDays.length; i++) {
    rows[i] = byKey.get((alertDays[i] - minDay) * width + index.alertAddress[i]) ?? -1;
  }
  return rows;
}
