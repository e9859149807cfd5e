/**
 * Combines the validation curves of the folds of one configuration, as LightGBM's `cv`
 * does: the mean curve over the folds, its best iteration, and the folds' spread there.
 *
 * @module
 */

/** The cross-validated result of one configuration. */
export interface CvSummary {
  /** Best iteration of the mean curve, counted from 1 (the number of rounds to train). */
  bestIteration: number;
  /** Mean of the folds' metric at that iteration. */
  mean: number;
  /** Population standard deviation of the folds' metric there. */
  std: number;
  /** True when every fold stopped early before the budget. */
  converged: boolean;
}

/**
 * Summarises fold curves (`curves[f][i]` is fold f's validation metric after iteration
 * i + 1, higher is better) over the iterations every fold reached; `budget` is the rounds
 * each fold was allowed.
 *
 * @example
 * ```ts
 * import { summariseCv } from "./cv_curves.ts";
 * const s = summariseCv([new Float64Array([0.6, 0.7, 0.65]), new Float64Array([0.5, 0.8])], 10);
 * console.assert(s.bestIteration === 2 && s.mean === 0.75 && s.converged);
 * ```
 */
export function summariseCv(curves: readonly Float64Array[], budget: number): CvSummary {
  if (curves.length === 0) throw new RangeError("No fold curves to summarise");
  const length = Math.min(...curves.map((c) => c.length));
  if (length === 0) throw new RangeError("A fold recorded no iteration");
  let best = 0, bestMean = -Infinity;
  for (let i = 0; i < length; i++) {
    let sum = 0;
    for (const curve of curves) sum += curve[i];
    const mean = sum / curves.length;
    if (mean > bestMean) {
      bestMean = mean;
      best = i;
    }
  }
  let squares = 0;
  for (const curve of curves) squares += (curve[best] - bestMean) ** 2;
  return {
    bestIteration: best + 1,
    mean: bestMean,
    std: Math.sqrt(squares / curves.length),
    converged: curves.every((c) => c.length < budget),
  };
}
