/**
 * Precision and recall among the k highest-scored rows: what an investigator who works k
 * alerts of a day finds.
 *
 * @module
 */
import { descendingOrder } from "./_curve.ts";
import type { NumericArray } from "./numeric_array.ts";

/** What the top k rows hold. */
export interface TopK {
  /** Rows worked: min(k, rows). */
  worked: number;
  /** Positive rows among them. */
  hits: number;
  /** Positive rows in all. */
  positives: number;
  /** hits / worked (NaN without rows). */
  precision: number;
  /** hits / positives (NaN without positives). */
  recall: number;
}

/**
 * Precision and recall of the `k` highest-scored rows of `[from, to)` (default all rows),
 * a row being positive when its label is at least `positiveAt` (default 1). Ties at the
 * cut are broken by row order, as numpy's stable `argsort(-score)`; with fewer than k rows,
 * all are worked.
 *
 * @example
 * ```ts
 * import { precisionAtK } from "./precision_at_k.ts";
 * const top = precisionAtK(new Float32Array([1, 0, 1, 0]), new Float64Array([0.9, 0.8, 0.1, 0.2]), 2);
 * console.assert(top.precision === 0.5 && top.recall === 0.5);
 * ```
 */
export function precisionAtK(
  label: NumericArray,
  score: NumericArray,
  k: number,
  from = 0,
  to = label.length,
  positiveAt = 1,
): TopK {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer: ${k}`);
  if (label.length !== score.length) {
    throw new RangeError(`Label and score lengths differ: ${label.length} vs ${score.length}`);
  }
  const order = descendingOrder(score, from, to);
  const worked = Math.min(k, order.length);
  let hits = 0, positives = 0;
  for (let r = 0; r < order.length; r++) {
    if (label[order[r]] >= positiveAt) {
      positives++;
      if (r < worked) hits++;
    }
  }
  return {
    worked,
    hits,
    positives,
    precision: worked === 0 ? NaN : hits / worked,
    recall: positives === 0 ? NaN : hits / positives,
  };
}

/** The rows worked of a day with `rows` alerts at a share of them: ceil(share * rows), at least 1. */
export function budgetOfShare(share: number, rows: number): number {
  return Math.max(1, Math.ceil(share * rows - 1e-9));
}
