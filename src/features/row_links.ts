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

/**
 * The table row of each `alert_row` value; the values must number the rows 0..n-1.
 *
 * @example
 * ```ts
 * import { tableFromArrays } from "npm:apache-arrow@21.2.0";
 * import { alertPositions } from "./row_links.ts";
 * const rows = alertPositions(tableFromArrays({ alert_row: Uint32Array.of(1, 0) }));
 * console.assert(rows.join() === "1,0");
 * ```
 */
export function alertPositions(alerts: Table): Int32Array {
  const numbers = numberColumn(alerts, "alert_row", "alerts");
  const position = new Int32Array(numbers.length).fill(-1);
  for (let i = 0; i < numbers.length; i++) {
    const row = numbers[i];
    if (!(row >= 0 && row < numbers.length) || position[row] !== -1) {
      throw invalid("alerts.alert_row does not number the alerts 0.." + (numbers.length - 1));
    }
    position[row] = i;
  }
  return position;
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
