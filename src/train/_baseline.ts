/**
 * The trivial baseline a model must beat on the same test rows: the alert's own confidence
 * score for alert_scorer, the cluster's average confidence for cluster_scorer, and the
 * batch order (earlier in the day's batch ranks higher) for the ranker.
 *
 * @module
 */
import type { FeatureMatrix } from "../types.ts";

/** The baseline's scores for rows `[from, to)` of `matrix`, and what it is. */
export interface Baseline {
  /** What the baseline scores by. */
  name: string;
  /** One score per row, higher = riskier; a missing confidence ranks lowest. */
  scores: Float64Array;
}

const CONFIDENCE_FEATURE = {
  alert_scorer: "alert_confidence",
  cluster_scorer: "cluster_confidence_avg",
} as const;

/**
 * The baseline of `matrix`'s model type over rows `[from, to)`, or null when the matrix
 * lacks the confidence feature (a feature selection without it).
 */
export function baselineScores(matrix: FeatureMatrix, from: number, to: number): Baseline | null {
  const n = to - from;
  if (matrix.modelType === "alert_ranker") {
    const group = matrix.group!;
    const scores = new Float64Array(n);
    let position = 0;
    for (let i = from; i < to; i++) {
      position = i > from && group[i] === group[i - 1] ? position + 1 : 0;
      scores[i - from] = -position;
    }
    return { name: "batch order (the alerts' order within the day's batch)", scores };
  }
  const feature = CONFIDENCE_FEATURE[matrix.modelType];
  const j = matrix.featureNames.indexOf(feature);
  if (j < 0) return null;
  const column = matrix.data.subarray(j * matrix.numRows, (j + 1) * matrix.numRows);
  const scores = Float64Array.from(
    column.subarray(from, to),
    (x) => (Number.isNaN(x) ? -Infinity : x),
  );
  return {
    name: `${feature} (the ${
      matrix.modelType === "alert_scorer" ? "alert's" : "cluster's"
    } own confidence score)`,
    scores,
  };
}
