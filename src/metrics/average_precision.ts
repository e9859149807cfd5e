/**
 * Average precision, the step-wise area under the precision-recall curve (PR-AUC).
 *
 * @module
 */
import { binaryCurve } from "./_curve.ts";
import type { NumericArray } from "./numeric_array.ts";

/**
 * Average precision: the sum over distinct thresholds of the recall gained times the
 * precision there, optionally weighted; equals scikit-learn's `average_precision_score`.
 * Throws a RangeError when there are no positive rows.
 *
 * @example
 * ```ts
 * import { averagePrecision } from "./average_precision.ts";
 * const ap = averagePrecision(new Float32Array([0, 0, 1, 1]), new Float64Array([0.1, 0.4, 0.35, 0.8]));
 * console.assert(Math.abs(ap - 0.8333333333333333) < 1e-15);
 * ```
 */
export function averagePrecision(
  label: NumericArray,
  score: NumericArray,
  weight?: NumericArray | null,
): number {
  const curve = binaryCurve(label, score, weight);
  if (curve.positives === 0) throw new RangeError("Average precision needs positive rows");
  let sum = 0, prevRecall = 0;
  for (let i = 0; i < curve.thresholds.length; i++) {
    const tp = curve.truePositives[i], fp = curve.falsePositives[i];
    const recall = tp / curve.positives;
    const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
    sum += (recall - prevRecall) * precision;
    prevRecall = recall;
  }
  return sum;
}
