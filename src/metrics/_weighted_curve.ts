/**
 * AUC and average precision over one fixed score order with per-row weights: the order is
 * sorted once, then each bootstrap replicate (or row subset, weight 0 outside it) is one
 * linear pass.
 *
 * @module
 */
import { descendingOrder } from "./_curve.ts";
import type { NumericArray } from "./numeric_array.ts";

/** Rows by descending score, and where each run of tied scores ends. */
export interface ScoreOrder {
  /** Row indices, highest score first (ties in row order). */
  order: Uint32Array;
  /** 1 at position r when `order[r]` is the last row of its tied run. */
  runEnd: Uint8Array;
}

/** Sorts `score` once for {@linkcode weightedAucAp}. */
export function scoreOrder(score: NumericArray): ScoreOrder {
  const order = descendingOrder(score);
  const runEnd = new Uint8Array(order.length);
  for (let r = 0; r < order.length; r++) {
    runEnd[r] = r === order.length - 1 || score[order[r + 1]] !== score[order[r]] ? 1 : 0;
  }
  return { order, runEnd };
}

/**
 * ROC AUC and average precision of binary `label` under the sorted scores with row
 * weights `weight` (as scikit-learn's with `sample_weight`), over the rows whose `mask`
 * entry equals its value when a mask is given; NaN where undefined (AUC without both
 * classes, AP without positives).
 */
export function weightedAucAp(
  sorted: ScoreOrder,
  label: NumericArray,
  weight: Float64Array,
  mask?: { of: Uint8Array; value: number },
): { auc: number; ap: number } {
  const { order, runEnd } = sorted;
  let tp = 0, fp = 0, prevTp = 0, prevFp = 0, area = 0, apSum = 0;
  for (let r = 0; r < order.length; r++) {
    const i = order[r];
    const w = mask && mask.of[i] !== mask.value ? 0 : weight[i];
    if (label[i] === 1) tp += w;
    else fp += w;
    if (runEnd[r]) {
      area += (fp - prevFp) * (tp + prevTp) / 2;
      if (tp + fp > 0) apSum += (tp - prevTp) * tp / (tp + fp);
      prevTp = tp;
      prevFp = fp;
    }
  }
  return {
    auc: tp > 0 && fp > 0 ? area / (tp * fp) : NaN,
    ap: tp > 0 ? apSum / tp : NaN,
  };
}
