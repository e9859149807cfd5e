/**
 * Links between the extracted tables by the row numbers ClickHouse assigned (extract):
 * `alert_row` numbers the alerts, `address_row` their (processing_date, address) pairs,
 * which are also the rows of the raw_features and money-flow tables. Integer links only:
 * no string is hashed or compared in JavaScript.
 *
 * @module
 */
import type { Table } from "npm:apache-arrow@21.2.0";
import { RiskTrainError } from "../errors.ts";
import { numberColumn } from "./arrow_columns.ts";

function invalid(message: string): RiskTrainError {
  return new RiskTrainError("DATA_INVALID", message);
}

/** Compares two strings by code point, the order of their UTF-8 bytes in ClickHouse. */
function compareCodePoints(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/**
 * Checks that the alerts are in extract's order, (processing_date, alert_id): cluster
 * members refer to alerts by position. Throws `DATA_INVALID` naming the first row out of
 * order.
 *
 * @example
 * ```ts
 * import { checkAlertOrder } from "./row_links.ts";
 * checkAlertOrder(Int32Array.of(1, 1, 2), ["a", "b", "a"]); // in order: returns
 * ```
 */
export function checkAlertOrder(days: Int32Array, ids: readonly string[]): void {
  for (let i = 1; i < days.length; i++) {
    const earlierDay = days[i] < days[i - 1];
    const sameDayEarlierId = days[i] === days[i - 1] && ids[i] < ids[i - 1] &&
      compareCodePoints(ids[i], ids[i - 1]) < 0;
    if (earlierDay || sameDayEarlierId) {
      throw invalid(
        "The alerts are not in extract's order (processing_date, alert_id) at row " + i +
          ": " + ids[i] + " after " + ids[i - 1],
      );
    }
  }
}

/**
 * For each alert, the row of `table` (raw_features or money flows) holding its
 * `address_row`, or -1 when the table has no row for it. Two rows for one `address_row`
 * (a duplicated source row) are a `DATA_INVALID` error naming `source`.
 *
 * @example
 * ```ts
 * import { tableFromArrays } from "npm:apache-arrow@21.2.0";
 * import { pairRows } from "./row_links.ts";
 * const table = tableFromArrays({ address_row: Uint32Array.of(1) });
 * console.assert(pairRows(table, "t", Float64Array.of(0, 1, 1)).join() === "-1,0,0");
 * ```
 */
export function pairRows(table: Table, source: string, alertPairs: Float64Array): Int32Array {
  let pairs = 0;
  for (let i = 0; i < alertPairs.length; i++) pairs = Math.max(pairs, alertPairs[i] + 1);
  const rowOfPair = new Int32Array(pairs).fill(-1);
  if (table.numRows > 0) {
    const numbers = numberColumn(table, "address_row", source);
    for (let r = 0; r < numbers.length; r++) {
      const pair = numbers[r];
      if (!(pair >= 0)) throw invalid(source + ".address_row is not a row number: " + pair);
      if (pair >= pairs) continue;
      if (rowOfPair[pair] !== -1) {
        throw invalid(source + " has more than one row for address_row " + pair);
      }
      rowOfPair[pair] = r;
    }
  }
  const rows = new Int32Array(alertPairs.length);
  for (let i = 0; i < alertPairs.length; i++) rows[i] = rowOfPair[alertPairs[i]];
  return rows;
}
