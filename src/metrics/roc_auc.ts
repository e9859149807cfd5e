/**
 * Area under the ROC curve.
 *
 * @module
 */
import { binaryCurve } from "./_curve.ts";
import type { NumericArray } from "./numeric_array.ts";

/**
 * The area under the ROC curve (trapezoidal, ties counted half), optionally weighted;
 * equals scikit-learn's `roc_auc_score`. Throws a RangeError when only one class is present.
 *
 * @example
 * ```ts
 * import { rocAuc } from "./roc_auc.ts";
 * const auc = rocAuc(new Float32Array([0, 0, 1, 1]), new Float64Array([0.1, 0.4, 0.35, 0.8]));
 * console.assert(auc === 0.75);
 * ```
 */
export function rocAuc(
  label: NumericArray,
  score: NumericArray,
  weight?: NumericArray | null,
): number {
  const curve = binaryCurve(label, score, weight);
  if (curve.positives === 0 || curve.negatives === 0) {
    throw new RangeError("ROC AUC needs both positive and negative rows");
  }
  let area = 0, prevTp = 0, prevFp = 0;
  for (let i = 0; i < curve.thresholds.length; i++) {
    const tp = curve.truePositives[i], fp = curve.falsePositives[i];
    area += (fp - prevFp) * (tp + prevTp) / 2;
    prevTp = tp;
    prevFp = fp;
  }
  return area / (curve.positives * curve.negatives);
}
