/**
 * Shared machinery of the binary metrics: input checks and the cumulative
 * true/false-positive counts at each distinct score, highest score first.
 *
 * @module
 */

import type { NumericArray } from "./numeric_array.ts";

/** Cumulative weighted counts at each distinct score threshold, highest first. */
export interface BinaryCurve {
  /** Distinct scores, descending. */
  thresholds: Float64Array;
  /** Weighted positives with score >= thresholds[i]. */
  truePositives: Float64Array;
  /** Weighted negatives with score >= thresholds[i]. */
  falsePositives: Float64Array;
  /** Total weighted positives. */
  positives: number;
  /** Total weighted negatives. */
  negatives: number;
}

/** Checks lengths and values of binary metric inputs; labels must be 0 or 1. */
export function checkBinaryInputs(
  label: NumericArray,
  score: NumericArray,
  weight?: NumericArray | null,
): void {
  if (label.length !== score.length) {
    throw new RangeError(`Label and score lengths differ: ${label.length} vs ${score.length}`);
  }
  if (weight && weight.length !== label.length) {
    throw new RangeError(`Weight and label lengths differ: ${weight.length} vs ${label.length}`);
  }
  if (label.length === 0) throw new RangeError("Cannot compute a metric over zero rows");
  for (let i = 0; i < label.length; i++) {
    if (label[i] !== 0 && label[i] !== 1) {
      throw new RangeError(`Binary labels must be 0 or 1: ${label[i]} at row ${i}`);
    }
    if (Number.isNaN(score[i])) throw new RangeError(`Score is NaN at row ${i}`);
    if (weight && !(weight[i] >= 0)) {
      throw new RangeError(`Weights must be non-negative numbers: ${weight[i]} at row ${i}`);
    }
  }
}

/** Row indices ordered by descending score (ties in row order). */
export function descendingOrder(score: NumericArray, from = 0, to = score.length): Uint32Array {
  const order = new Uint32Array(to - from);
  for (let i = 0; i < order.length; i++) order[i] = from + i;
  return order.sort((a, b) => score[b] - score[a] || a - b);
}

/** The cumulative counts at each distinct score, as scikit-learn's `_binary_clf_curve`. */
export function binaryCurve(
  label: NumericArray,
  score: NumericArray,
  weight?: NumericArray | null,
): BinaryCurve {
  checkBinaryInputs(label, score, weight);
  const order = descendingOrder(score);
  const n = order.length;
  const thresholds = new Float64Array(n);
  const tps = new Float64Array(n);
  const fps = new Float64Array(n);
  let tp = 0, fp = 0, m = 0;
  for (let r = 0; r < n; r++) {
    const i = order[r];
    const w = weight ? weight[i] : 1;
    if (label[i] === 1) tp += w;
    else fp += w;
    if (r === n - 1 || score[order[r + 1]] !== score[i]) {
      thresholds[m] = score[i];
      tps[m] = tp;
      fps[m] = fp;
      m++;
    }
  }
  return {
    thresholds: thresholds.slice(0, m),
    truePositives: tps.slice(0, m),
    falsePositives: fps.slice(0, m),
    positives: tp,
    negatives: fp,
  };
}
