/**
 * Backtests: the training run's test metrics on the labelled rows of a scored range.
 *
 * @module
 */
import { type DateEvaluation, evaluateScores } from "../metrics/evaluate_scores.ts";
import type { FeatureMatrix, ModelMetadata, ModelMetrics } from "../types.ts";

/** What {@linkcode backtest} returns. */
export interface Backtest {
  /** The metrics by name, or null when no row is labelled. */
  metrics: ModelMetrics | null;
  /** The same metrics per processing_date (precision@k per day among them). */
  perDate: DateEvaluation[];
  /** Bootstrap 95% intervals (test dates resampled) of the metrics. */
  intervals: Record<string, { low: number; high: number }>;
  /** Labelled rows evaluated. */
  labelledRows: number;
}

/** The alert budget the training run evaluated with (its evaluation method), else 100. */
function alertBudgetOf(metadata: Pick<ModelMetadata, "details">): number {
  const evaluation = metadata.details.evaluation as
    | { method?: { alert_budget?: unknown } }
    | undefined;
  const budget = evaluation?.method?.alert_budget;
  return typeof budget === "number" ? budget : 100;
}

/**
 * The test metrics of the training run on the labelled rows of `matrix`, computed as training
 * computed them: `evaluateScores` on the model's uncalibrated predictions with the model's
 * threshold, calibration, alert budget and seed (AUC, PR-AUC, log loss, Brier, ECE,
 * precision/recall/F1 at the threshold, precision and recall of the top alerts of each day;
 * NDCG@k, precision@k and MAP per query group for the ranker), overall, per processing_date
 * and with a bootstrap interval over dates (`bootstrapSamples` replicates, default 200).
 * Scoring the training run's test window reproduces its saved figures exactly, except those
 * that need the training rows (the seen/unseen-address split and the baseline), which a
 * backtest leaves out. Metrics null when no row is labelled.
 *
 * @example
 * ```ts ignore
 * const { metrics, perDate } = backtest(matrix, booster.predict(matrix), model.metadata);
 * ```
 */
export function backtest(
  matrix: Pick<FeatureMatrix, "label" | "group" | "processingDates">,
  predicted: Float64Array,
  metadata: Pick<ModelMetadata, "model_type" | "threshold" | "calibration" | "seed" | "details">,
  bootstrapSamples = 200,
): Backtest {
  const rows: number[] = [];
  matrix.label.forEach((y, i) => {
    if (!Number.isNaN(y)) rows.push(i);
  });
  if (rows.length === 0) return { metrics: null, perDate: [], intervals: {}, labelledRows: 0 };
  const ranking = metadata.model_type === "alert_ranker";
  const evaluation = evaluateScores({
    kind: ranking ? "ranking" : "binary",
    scores: Float64Array.from(rows, (i) => predicted[i]),
    labels: Float32Array.from(rows, (i) => matrix.label[i]),
    dates: Int32Array.from(rows, (i) => matrix.processingDates[i]),
    groups: ranking ? Int32Array.from(rows, (i) => matrix.group![i]) : null,
  }, {
    threshold: ranking ? null : metadata.threshold,
    calibration: metadata.calibration ?? null,
    alertBudget: alertBudgetOf(metadata),
    seed: metadata.seed,
    bootstrapSamples,
  });
  return {
    metrics: evaluation.metrics,
    perDate: evaluation.perDate,
    intervals: evaluation.intervals,
    labelledRows: rows.length,
  };
}
