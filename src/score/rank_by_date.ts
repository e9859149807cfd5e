/**
 * Ranks within each processing date.
 *
 * @module
 */

/**
 * The rank of each row within its processing date: 1 for the highest score, ties in row
 * order (extract's order: alert_id or cluster_id).
 *
 * @example
 * ```ts
 * import { ranksByDate } from "./rank_by_date.ts";
 * const ranks = ranksByDate(new Int32Array([1, 1, 2]), new Float64Array([0.2, 0.9, 0.5]));
 * console.assert(ranks.join() === "2,1,1");
 * ```
 */
export function ranksByDate(days: Int32Array, scores: Float64Array): Int32Array {
  const order = Array.from(days.keys()).sort((a, b) =>
    days[a] - days[b] || scores[b] - scores[a] || a - b
  );
  const ranks = new Int32Array(days.length);
  let rank = 0;
  for (let i = 0; i < order.length; i++) {
    rank = i > 0 && days[order[i]] === days[order[i - 1]] ? rank + 1 : 1;
    ranks[order[i]] = rank;
  }
  return ranks;
}
