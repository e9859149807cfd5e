/**
 * The points of the report's performance curves (ROC, precision-recall, gain), cut to a
 * few hundred points so that a million scores make a small chart.
 *
 * @module
 */
import { binaryCurve } from "../metrics/_curve.ts";
import type { NumericArray } from "../metrics/numeric_array.ts";

/** Points kept per curve at most. */
export const CURVE_POINTS = 400;

/** One curve point: false-positive rate, true-positive rate (recall), precision, share reviewed. */
export interface CurvePoint {
  /** False-positive rate. */
  fpr: number;
  /** True-positive rate, i.e. recall. */
  tpr: number;
  /** Precision. */
  precision: number;
  /** Share of rows with a score at or above the threshold. */
  reviewed: number;
  /** The score threshold. */
  threshold: number;
}

/**
 * ROC, precision-recall and gain points of binary labels (`positive(label)` decides) and
 * scores, from the highest threshold down, at most {@linkcode CURVE_POINTS} of them.
 * Returns null when either class is absent.
 */
export function curvePoints(
  label: NumericArray,
  score: NumericArray,
  positive: (label: number) => boolean,
): CurvePoint[] | null {
  const binary = new Uint8Array(label.length);
  for (let i = 0; i < label.length; i++) binary[i] = positive(label[i]) ? 1 : 0;
  const curve = binaryCurve(binary, score);
  if (curve.positives === 0 || curve.negatives === 0) return null;
  const m = curve.thresholds.length;
  const step = Math.max(1, Math.ceil(m / CURVE_POINTS));
  const points: CurvePoint[] = [{ fpr: 0, tpr: 0, precision: 1, reviewed: 0, threshold: Infinity }];
  for (let i = 0; i < m; i += step) points.push(point(curve, i));
  if ((m - 1) % step !== 0) points.push(point(curve, m - 1));
  return points;
}

function point(curve: ReturnType<typeof binaryCurve>, i: number): CurvePoint {
  const tp = curve.truePositives[i], fp = curve.falsePositives[i];
  return {
    fpr: fp / curve.negatives,
    tpr: tp / curve.positives,
    precision: tp / (tp + fp),
    reviewed: (tp + fp) / (curve.positives + curve.negatives),
    threshold: curve.thresholds[i],
  };
}

/** Counts of a binary decision at `threshold` (score >= threshold is flagged). */
export interface Confusion {
  /** Positives flagged. */
  truePositives: number;
  /** Negatives flagged. */
  falsePositives: number;
  /** Positives not flagged. */
  falseNegatives: number;
  /** Negatives not flagged. */
  trueNegatives: number;
}

/** The confusion counts of 0/1 labels and scores at `threshold`. */
export function confusionAt(
  label: ArrayLike<number>,
  score: ArrayLike<number>,
  threshold: number,
): Confusion {
  const c = { truePositives: 0, falsePositives: 0, falseNegatives: 0, trueNegatives: 0 };
  for (let i = 0; i < label.length; i++) {
    const flagged = score[i] >= threshold;
    if (label[i] === 1) flagged ? c.truePositives++ : c.falseNegatives++;
    else flagged ? c.falsePositives++ : c.trueNegatives++;
  }
  return c;
}
