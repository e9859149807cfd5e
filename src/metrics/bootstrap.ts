/**
 * The seeded bootstrap over processing dates: how often each date is drawn in each
 * replicate, and the percentile interval of a metric's replicates.
 *
 * @module
 */
import { createRandom } from "../random.ts";

/**
 * `samples` bootstrap replicates of `numDates` dates drawn with replacement: entry
 * `[b * numDates + d]` is how often date `d` is drawn in replicate `b`. Seeded: the same
 * seed gives the same draws.
 *
 * @example
 * ```ts
 * import { bootstrapDateCounts } from "./bootstrap.ts";
 * const counts = bootstrapDateCounts(5, 10, 42);
 * console.assert(counts.subarray(0, 5).reduce((a, b) => a + b, 0) === 5);
 * ```
 */
export function bootstrapDateCounts(numDates: number, samples: number, seed: number): Uint32Array {
  if (!Number.isInteger(numDates) || numDates < 1) {
    throw new RangeError(`The bootstrap needs at least one date: ${numDates}`);
  }
  if (!Number.isInteger(samples) || samples < 1) {
    throw new RangeError(`Bootstrap samples must be a positive integer: ${samples}`);
  }
  const random = createRandom(seed);
  const counts = new Uint32Array(samples * numDates);
  for (let b = 0; b < samples; b++) {
    for (let d = 0; d < numDates; d++) counts[b * numDates + random.nextInt(numDates)]++;
  }
  return counts;
}

/**
 * The `q` quantile (0..1) of `values` with linear interpolation between order statistics,
 * as numpy's `percentile` (method "linear"); NaN values are ignored, NaN when none is left.
 *
 * @example
 * ```ts
 * import { quantile } from "./bootstrap.ts";
 * console.assert(quantile([1, 2, 3, 4], 0.5) === 2.5);
 * ```
 */
export function quantile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).filter((v) => !Number.isNaN(v)).sort();
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}
