/**
 * Precision, recall and F1 at a score threshold, and the threshold that maximises F1.
 *
 * @module
 */
import { binaryCurve, checkBinaryInputs } from "./_curve.ts";
import type { NumericArray } from "./numeric_array.ts";

/** Precision, recall and F1 of the rule "positive when score >= threshold". */
export interface ThresholdScores {
  /** The threshold applied. */
  threshold: number;
  /** Weighted true positives over predicted positives (0 when none predicted). */
  precision: number;
  /** Weighted true positives over actual positives (0 when none). */
  recall: number;
  /** Harmonic mean of precision and recall (0 when both are 0). */
  f1: number;
}

function scores(threshold: number, tp: number, fp: number, positives: number): ThresholdScores {
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = positives === 0 ? 0 : tp / positives;
  const f1 = tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + (positives - tp));
  return { threshold, precision, recall, f1 };
}

/**
 * Precision, recall and F1 when rows with `score >= threshold` are predicted positive;
 * equal to scikit-learn's `precision_score`, `recall_score`, `f1_score` (zero_division=0).
 *
 * @example
 * ```ts
 * import { scoresAtThreshold } from "./threshold.ts";
 * const s = scoresAtThreshold(new Float32Array([0, 1, 1]), new Float64Array([0.6, 0.7, 0.2]), 0.5);
 * console.assert(s.precision === 0.5 && s.recall === 0.5);
 * ```
 */
export function scoresAtThreshold(
  label: NumericArray,
  score: NumericArray,
  threshold: number,
  weight?: NumericArray | null,
): ThresholdScores {
  checkBinaryInputs(label, score, weight);
  let tp = 0, fp = 0, positives = 0;
  for (let i = 0; i < label.length; i++) {
    const w = weight ? weight[i] : 1;
    if (label[i] === 1) positives += w;
    if (score[i] >= threshold) {
      if (label[i] === 1) tp += w;
      else fp += w;
    }
  }
  return scores(threshold, tp, fp, positives);
}

/**
 * The threshold (one of the scores) whose rule "positive when score >= threshold"
 * maximises F1; among equal F1 values the lowest threshold wins.
 * Throws a RangeError when there are no positive rows.
 *
 * @example
 * ```ts
 * import { bestF1Threshold } from "./threshold.ts";
 * const best = bestF1Threshold(new Float32Array([0, 1, 1]), new Float64Array([0.1, 0.7, 0.4]));
 * console.assert(best.threshold === 0.4 && best.f1 === 1);
 * ```
 */
export function bestF1Threshold(
  label: NumericArray,
  score: NumericArray,
  weight?: NumericArray | null,
): ThresholdScores {
  const curve = binaryCurve(label, score, weight);
  if (curve.positives === 0) throw new RangeError("The F1 threshold needs positive rows");
  let best = scores(
    curve.thresholds[0],
    curve.truePositives[0],
    curve.falsePositives[0],
    curve.positives,
  );
  for (let i = 1; i < curve.thresholds.length; i++) {
    const s = scores(
      curve.thresholds[i],
      curve.truePositives[i],
      curve.falsePositives[i],
      curve.positives,
    );
    if (s.f1 >= best.f1) best = s;
  }
  return best;
}
