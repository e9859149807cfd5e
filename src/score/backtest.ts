/**
 * Backtests: the training run's test metrics on the labelled rows of a scored range.
 *
 * @module
 */
import { type DateEvaluation, evaluateScores } from "../metrics/evaluate_scores.ts";
import type { ModelMetadata } from "../storage/metadata.ts";
import { rankerMetrics, scorerMetrics } from "../train/_evaluate.ts";
import type { FeatureMatrix, ModelMetrics } from "../types.ts";

/** What {@linkcode backtest} returns. */
export interface Backtest {
  /** The metrics by name, or null when no row is labelled. */
  metrics: ModelMetrics | null;
  /** The same metrics per processing_date (precision@k per day among them). */
  perDate: DateEvaluation[];
  /** Bootstrap 95% intervals (test dates resampled) of the `evaluateScores` metrics. */
  intervals: Record<string, { low: number; high: number }>;
  /** Labelled rows evaluated. */
  labelledRows: number;
}

/**
 * The test metrics on the labelled rows of `matrix`, from the model's uncalibrated
 * predictions: `evaluateScores` (AUC, PR-AUC, precision and recall at the alert budget and at
 * 1%/5% of each day, NDCG and precision@k per query group, per processing_date; calibrated
 * Brier/ECE with the model's calibration), and over it the training run's own test metric set
 * (scorers: AUC, PR-AUC, log loss, precision, recall and F1 at the model's threshold; ranker:
 * NDCG@5/10/20 and MAP) computed as training computed it, so that the training run's test
 * window reproduces its saved figures exactly. Metrics null when no row is labelled;
 * `bootstrapSamples` (default 200, seed 0) replicates give the intervals.
 *
 * @example
 * ```ts ignore
 * const { metrics, perDate } = backtest(matrix, booster.predict(matrix), model.metadata);
 * ```
 */
export function backtest(
  matrix: Pick<FeatureMatrix, "label" | "group" | "processingDates">,
  predicted: Float64Array,
  metadata: Pick<ModelMetadata, "model_type" | "threshold" | "calibration">,
  bootstrapSamples = 200,
): Backtest {
  const rows: number[] = [];
  matrix.label.forEach((y, i) => {
    if (!Number.isNaN(y)) rows.push(i);
  });
  if (rows.length === 0) return { metrics: null, perDate: [], intervals: {}, labelledRows: 0 };
  const label = Float32Array.from(rows, (i) => matrix.label[i]);
  const values = Float64Array.from(rows, (i) => predicted[i]);
  const dates = Int32Array.from(rows, (i) => matrix.processingDates[i]);
  const ranking = metadata.model_type === "alert_ranker";
  const groups = ranking ? Int32Array.from(rows, (i) => matrix.group![i]) : null;
  const evaluation = evaluateScores(
    { kind: ranking ? "ranking" : "binary", scores: values, labels: label, dates, groups },
    {
      threshold: ranking ? null : metadata.threshold,
      calibration: metadata.calibration ?? null,
      bootstrapSamples,
    },
  );
  const training = ranking
    ? rankerMetrics(label, values, groups!)
    : scorerMetrics(label, values, metadata.threshold ?? 0.5);
  return {
    metrics: { ...evaluation.metrics, ...training },
    perDate: evaluation.perDate,
    intervals: evaluation.intervals,
    labelledRows: rows.length,
  };
}
