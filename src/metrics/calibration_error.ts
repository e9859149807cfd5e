/**
 * How well probabilities are calibrated: the Brier score and the expected calibration
 * error.
 *
 * @module
 */
import { checkBinaryInputs } from "./_curve.ts";
import type { NumericArray } from "./numeric_array.ts";

/**
 * The mean (optionally weighted) squared difference between probability and binary
 * label; equals scikit-learn's `brier_score_loss`.
 *
 * @example
 * ```ts
 * import { brierScore } from "./calibration_error.ts";
 * console.assert(brierScore(new Float32Array([1, 0]), new Float64Array([0.5, 0.5])) === 0.25);
 * ```
 */
export function brierScore(
  label: NumericArray,
  probability: NumericArray,
  weight?: NumericArray | null,
): number {
  checkBinaryInputs(label, probability, weight);
  let sum = 0, total = 0;
  for (let i = 0; i < label.length; i++) {
    const w = weight ? weight[i] : 1;
    sum += w * (probability[i] - label[i]) ** 2;
    total += w;
  }
  if (total === 0) throw new RangeError("The Brier score needs a positive total weight");
  return sum / total;
}

/** The bin of probability `p` among `bins` equal-width bins of [0, 1] (1 in the last). */
export function calibrationBin(p: number, bins: number): number {
  return Math.min(bins - 1, Math.max(0, Math.floor(p * bins)));
}

/**
 * Expected calibration error: over `bins` equal-width probability bins (default 10; 1.0
 * falls in the last), the (optionally weighted) share of rows in the bin times the
 * absolute difference between its mean label and its mean probability.
 *
 * @example
 * ```ts
 * import { expectedCalibrationError } from "./calibration_error.ts";
 * const ece = expectedCalibrationError(new Float32Array([1, 0]), new Float64Array([0.9, 0.1]));
 * console.assert(Math.abs(ece - 0.1) < 1e-12);
 * ```
 */
export function expectedCalibrationError(
  label: NumericArray,
  probability: NumericArray,
  weight?: NumericArray | null,
  bins = 10,
): number {
  checkBinaryInputs(label, probability, weight);
  if (!Number.isInteger(bins) || bins < 1) {
    throw new RangeError(`Bins must be a positive integer: ${bins}`);
  }
  const mass = new Float64Array(bins), labels = new Float64Array(bins);
  const probs = new Float64Array(bins);
  let total = 0;
  for (let i = 0; i < label.length; i++) {
    const w = weight ? weight[i] : 1;
    const b = calibrationBin(probability[i], bins);
    mass[b] += w;
    labels[b] += w * label[i];
    probs[b] += w * probability[i];
    total += w;
  }
  if (total === 0) throw new RangeError("The calibration error needs a positive total weight");
  let ece = 0;
  for (let b = 0; b < bins; b++) ece += Math.abs(labels[b] - probs[b]) / total;
  return ece;
}
