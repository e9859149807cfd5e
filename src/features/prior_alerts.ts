/**
 * Alert history of each alert's address within the extracted range, looking only at
 * earlier processing dates (no look-ahead) and at the same date (known when the batch is
 * scored).
 *
 * @module
 */
import { groupRows } from "./group_stats.ts";

/** History features per alert row. */
export interface PriorAlerts {
  /** Alerts on the same address at earlier dates of the range. */
  priorAlerts: Float64Array;
  /** Distinct earlier dates of the range with an alert on the same address. */
  priorAlertDays: Float64Array;
  /** Days since the latest earlier alert on the address; NaN when there is none. */
  daysSincePriorAlert: Float64Array;
  /** Other alerts on the same address at the same date. */
  sameDayAlerts: Float64Array;
}

/**
 * Computes {@linkcode PriorAlerts} from each alert's address number and day.
 *
 * @example
 * ```ts
 * import { priorAlerts } from "./prior_alerts.ts";
 * const history = priorAlerts(Int32Array.of(0, 0, 0), Int32Array.of(1, 3, 3), 1);
 * console.assert(history.priorAlerts.join() === "0,1,1");
 * console.assert(history.daysSincePriorAlert[2] === 2);
 * ```
 */
export function priorAlerts(
  addresses: Int32Array,
  days: Int32Array,
  addressCount: number,
): PriorAlerts {
  const n = addresses.length;
  const result: PriorAlerts = {
    priorAlerts: new Float64Array(n),
    priorAlertDays: new Float64Array(n),
    daysSincePriorAlert: new Float64Array(n),
    sameDayAlerts: new Float64Array(n),
  };
  const groups = groupRows(addresses, addressCount);
  for (let g = 0; g < groups.count; g++) {
    const rows = groups.rows.subarray(groups.start[g], groups.start[g + 1]);
    let sorted = true;
    for (let k = 1; k < rows.length; k++) if (days[rows[k]] < days[rows[k - 1]]) sorted = false;
    if (!sorted) rows.set(Array.from(rows).sort((a, b) => days[a] - days[b] || a - b));
    let before = 0;
    let runs = 0;
    let previousDay = NaN;
    for (let k = 0; k < rows.length;) {
      const day = days[rows[k]];
      let end = k;
      while (end < rows.length && days[rows[end]] === day) end++;
      for (let m = k; m < end; m++) {
        const row = rows[m];
        result.priorAlerts[row] = before;
        result.priorAlertDays[row] = runs;
        result.daysSincePriorAlert[row] = day - previousDay;
        result.sameDayAlerts[row] = end - k - 1;
      }
      before += end - k;
      runs++;
      previousDay = day;
      k = end;
    }
  }
  return result;
}
