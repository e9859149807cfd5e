/**
 * Ranking metrics over query groups: NDCG@k with LightGBM's gain (2^rel - 1) and mean
 * average precision. Groups are given as one id per row, the rows of a group contiguous.
 *
 * @module
 */
import { descendingOrder } from "./_curve.ts";
import type { NumericArray } from "./numeric_array.ts";
import { averagePrecision } from "./average_precision.ts";

/**
 * Start offsets of the contiguous groups in `group`, plus the end: group `g` spans rows
 * `[bounds[g], bounds[g + 1])`. Throws a RangeError when a group id recurs after another.
 *
 * @example
 * ```ts
 * import { groupBounds } from "./ranking.ts";
 * console.assert(groupBounds(new Int32Array([4, 4, 9])).join() === "0,2,3");
 * ```
 */
export function groupBounds(group: Int32Array): Uint32Array {
  const bounds: number[] = [0];
  const seen = new Set<number>();
  for (let i = 1; i <= group.length; i++) {
    if (i === group.length || group[i] !== group[i - 1]) {
      if (seen.has(group[i - 1])) {
        throw new RangeError(`Rows of query group ${group[i - 1]} are not contiguous`);
      }
      seen.add(group[i - 1]);
      bounds.push(i);
    }
  }
  return Uint32Array.from(group.length === 0 ? [0] : bounds);
}

function checkRankingInputs(label: NumericArray, score: NumericArray, group: Int32Array): void {
  if (label.length !== score.length || label.length !== group.length) {
    throw new RangeError(
      `Label, score and group lengths differ: ${label.length}, ${score.length}, ${group.length}`,
    );
  }
  if (label.length === 0) throw new RangeError("Cannot compute a ranking metric over zero rows");
  for (let i = 0; i < label.length; i++) {
    if (!(label[i] >= 0) || !Number.isInteger(label[i])) {
      throw new RangeError(
        `Relevance labels must be non-negative integers: ${label[i]} at row ${i}`,
      );
    }
    if (Number.isNaN(score[i])) throw new RangeError(`Score is NaN at row ${i}`);
  }
}

/** DCG@k of rows [from, to) ranked by score, averaging gains over tied scores. */
function tieAveragedDcg(
  label: NumericArray,
  score: NumericArray,
  from: number,
  to: number,
  k: number,
): number {
  const order = descendingOrder(score, from, to);
  let dcg = 0;
  for (let start = 0; start < order.length && start < k;) {
    let end = start + 1;
    while (end < order.length && score[order[end]] === score[order[start]]) end++;
    let gain = 0, discount = 0;
    for (let r = start; r < end; r++) {
      gain += 2 ** label[order[r]] - 1;
      if (r < k) discount += 1 / Math.log2(r + 2);
    }
    dcg += (gain / (end - start)) * discount;
    start = end;
  }
  return dcg;
}

/**
 * Mean over query groups of NDCG@k with gain 2^rel - 1 and discount 1/log2(rank + 1);
 * tied scores share their gains (as scikit-learn's `ndcg_score`). A group without any
 * relevant row scores 1, as in LightGBM.
 *
 * @example
 * ```ts
 * import { ndcgAt } from "./ranking.ts";
 * const ndcg = ndcgAt(new Float32Array([0, 2, 1]), new Float64Array([0.9, 0.8, 0.1]), new Int32Array(3), 3);
 * console.assert(ndcg > 0 && ndcg < 1);
 * ```
 */
export function ndcgAt(
  label: NumericArray,
  score: NumericArray,
  group: Int32Array,
  k: number,
): number {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer: ${k}`);
  checkRankingInputs(label, score, group);
  const bounds = groupBounds(group);
  let sum = 0;
  for (let g = 0; g + 1 < bounds.length; g++) {
    const from = bounds[g], to = bounds[g + 1];
    const ideal = tieAveragedDcg(label, label, from, to, k);
    sum += ideal === 0 ? 1 : tieAveragedDcg(label, score, from, to, k) / ideal;
  }
  return sum / (bounds.length - 1);
}

/**
 * Mean over query groups of the average precision of the ranking, a row being relevant
 * when its label is above 0; a group without relevant rows scores 1, as in LightGBM.
 *
 * @example
 * ```ts
 * import { meanAveragePrecision } from "./ranking.ts";
 * const map = meanAveragePrecision(new Float32Array([0, 2, 1]), new Float64Array([0.1, 0.8, 0.5]), new Int32Array(3));
 * console.assert(map === 1);
 * ```
 */
export function meanAveragePrecision(
  label: NumericArray,
  score: NumericArray,
  group: Int32Array,
): number {
  checkRankingInputs(label, score, group);
  const bounds = groupBounds(group);
  let sum = 0;
  for (let g = 0; g + 1 < bounds.length; g++) {
    const from = bounds[g], to = bounds[g + 1];
    const relevant = new Uint8Array(to - from);
    let any = false;
    for (let i = from; i < to; i++) {
      relevant[i - from] = label[i] > 0 ? 1 : 0;
      any ||= label[i] > 0;
    }
    sum += any ? averagePrecision(relevant, score.subarray(from, to)) : 1;
  }
  return sum / (bounds.length - 1);
}
