/**
 * Binary logarithmic loss.
 *
 * @module
 */
import { checkBinaryInputs } from "./_curve.ts";
import type { NumericArray } from "./numeric_array.ts";

/**
 * The mean (optionally weighted) negative log-likelihood of binary labels under predicted
 * probabilities, clipped to [eps, 1 - eps] with eps the float64 machine epsilon; equals
 * scikit-learn's `log_loss`.
 *
 * @example
 * ```ts
 * import { logLoss } from "./log_loss.ts";
 * const loss = logLoss(new Float32Array([1, 0]), new Float64Array([0.5, 0.5]));
 * console.assert(Math.abs(loss - Math.LN2) < 1e-15);
 * ```
 */
export function logLoss(
  label: NumericArray,
  probability: NumericArray,
  weight?: NumericArray | null,
): number {
  checkBinaryInputs(label, probability, weight);
  const eps = Number.EPSILON;
  let sum = 0, total = 0;
  for (let i = 0; i < label.length; i++) {
    const p = probability[i];
    if (!(p >= 0 && p <= 1)) throw new RangeError(`Probability outside [0, 1]: ${p} at row ${i}`);
    const q = Math.min(Math.max(p, eps), 1 - eps);
    const w = weight ? weight[i] : 1;
    sum -= w * (label[i] === 1 ? Math.log(q) : Math.log(1 - q));
    total += w;
  }
  if (total === 0) throw new RangeError("Log loss needs a positive total weight");
  return sum / total;
}
