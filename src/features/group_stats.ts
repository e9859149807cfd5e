/**
 * Within-group statistics of one value per row: z-score and percentile, where a group is
 * a batch (processing_date) or a typology within a batch. Only the rows of the same group
 * take part, so no value from another date ever reaches a row.
 *
 * @module
 */

/** Rows grouped by a dense group id: rows of group g are `rows[start[g] .. start[g+1])`. */
export interface Groups {
  /** Number of groups. */
  count: number;
  /** Group id of each row. */
  of: Int32Array;
  /** Row indices ordered by group (stable). */
  rows: Uint32Array;
  /** Start of each group in `rows`, with a final end marker. */
  start: Uint32Array;
}

/**
 * Groups rows by a dense group id (0..count-1) with a stable counting sort.
 *
 * @example
 * ```ts
 * import { groupRows } from "./group_stats.ts";
 * const groups = groupRows(Int32Array.of(1, 0, 1), 2);
 * console.assert(Array.from(groups.rows).join() === "1,0,2");
 * ```
 */
export function groupRows(of: Int32Array, count: number): Groups {
  const start = new Uint32Array(count + 1);
  for (let i = 0; i < of.length; i++) start[of[i] + 1]++;
  for (let g = 0; g < count; g++) start[g + 1] += start[g];
  const next = start.slice(0, count);
  const rows = new Uint32Array(of.length);
  for (let i = 0; i < of.length; i++) rows[next[of[i]]++] = i;
  return { count, of, rows, start };
}

/**
 * Densely numbers pairs of non-negative integer keys (e.g. day and typology code), in
 * order of first appearance.
 *
 * @example
 * ```ts
 * import { pairIds } from "./group_stats.ts";
 * const { ids, count } = pairIds(Int32Array.of(1, 1, 2), Int32Array.of(0, 0, 0));
 * console.assert(count === 2 && ids.join() === "0,0,1");
 * ```
 */
export function pairIds(a: Int32Array, b: Int32Array): { ids: Int32Array; count: number } {
  let width = 1;
  for (let i = 0; i < b.length; i++) width = Math.max(width, b[i] + 1);
  const seen = new Map<number, number>();
  const ids = new Int32Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const key = a[i] * width + b[i];
    let id = seen.get(key);
    if (id === undefined) {
      id = seen.size;
      seen.set(key, id);
    }
    ids[i] = id;
  }
  return { ids, count: seen.size };
}

/**
 * z-score of each row's value within its group: (x - mean) / std with the population
 * standard deviation; 0 when the group's values are all equal; NaN for a NaN value (NaN
 * values are left out of the mean and deviation).
 *
 * @example
 * ```ts
 * import { groupRows, zScores } from "./group_stats.ts";
 * const z = zScores(Float64Array.of(1, 3), groupRows(Int32Array.of(0, 0), 1));
 * console.assert(z[0] === -1 && z[1] === 1);
 * ```
 */
export function zScores(values: Float64Array, groups: Groups): Float64Array {
  const out = new Float64Array(values.length);
  const { rows, start } = groups;
  for (let g = 0; g < groups.count; g++) {
    let n = 0;
    let sum = 0;
    for (let k = start[g]; k < start[g + 1]; k++) {
      const x = values[rows[k]];
      if (x === x) {
        n++;
        sum += x;
      }
    }
    const mean = sum / n;
    let squares = 0;
    for (let k = start[g]; k < start[g + 1]; k++) {
      const x = values[rows[k]];
      if (x === x) squares += (x - mean) * (x - mean);
    }
    const std = Math.sqrt(squares / n);
    for (let k = start[g]; k < start[g + 1]; k++) {
      const x = values[rows[k]];
      out[rows[k]] = x !== x ? NaN : std === 0 ? 0 : (x - mean) / std;
    }
  }
  return out;
}

function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Mid-rank percentile of each row's value within its group, in (0, 1):
 * (values below + half the values equal) / values, counting the row itself among the
 * equal ones; NaN for a NaN value.
 *
 * @example
 * ```ts
 * import { groupRows, percentiles } from "./group_stats.ts";
 * const p = percentiles(Float64Array.of(5, 1), groupRows(Int32Array.of(0, 0), 1));
 * console.assert(p[0] === 0.75 && p[1] === 0.25);
 * ```
 */
export function percentiles(values: Float64Array, groups: Groups): Float64Array {
  const out = new Float64Array(values.length);
  const { rows, start } = groups;
  const buffer = new Float64Array(values.length);
  const runEnd = new Int32Array(values.length);
  for (let g = 0; g < groups.count; g++) {
    let n = 0;
    for (let k = start[g]; k < start[g + 1]; k++) {
      const x = values[rows[k]];
      if (x === x) buffer[start[g] + n++] = x;
    }
    const sorted = buffer.subarray(start[g], start[g] + n).sort();
    for (let i = n - 1; i >= 0; i--) {
      runEnd[start[g] + i] = i + 1 < n && sorted[i + 1] === sorted[i]
        ? runEnd[start[g] + i + 1]
        : i + 1;
    }
    for (let k = start[g]; k < start[g + 1]; k++) {
      const x = values[rows[k]];
      if (x !== x) {
        out[rows[k]] = NaN;
        continue;
      }
      const below = lowerBound(sorted, x);
      out[rows[k]] = (below + (runEnd[start[g] + below] - below) / 2) / n;
    }
  }
  return out;
}
