/**
 * Backtests: the training run's test metrics on the labelled rows of a scored range.
 *
 * @module
 */
import type { ModelMetadata } from "../storage/metadata.ts";
import { rankerMetrics, scorerMetrics } from "../train/_evaluate.ts";
import type { FeatureMatrix, ModelMetrics } from "../types.ts";

/**
 * The test metrics of the training run (scorers: AUC, PR-AUC, log loss, precision, recall
 * and F1 at the model's threshold; ranker: NDCG@5/10/20 and MAP per processing date) on the
 * labelled rows of `matrix`, from the model's uncalibrated predictions as training computed
 * them; null when no row is labelled.
 *
 * @example
 * ```ts ignore
 * const { metrics } = backtest(matrix, booster.predict(matrix), model.metadata);
 * ```
 */
export function backtest(
  matrix: Pick<FeatureMatrix, "label" | "group">,
  predicted: Float64Array,
  metadata: Pick<ModelMetadata, "model_type" | "threshold">,
): { metrics: ModelMetrics | null; labelledRows: number } {
  const rows: number[] = [];
  matrix.label.forEach((y, i) => {
    if (!Number.isNaN(y)) rows.push(i);
  });
  if (rows.length === 0) return { metrics: null, labelledRows: 0 };
  const label = Float32Array.from(rows, (i) => matrix.label[i]);
  const values = Float64Array.from(rows, (i) => predicted[i]);
  if (metadata.model_type === "alert_ranker") {
    const group = Int32Array.from(rows, (i) => matrix.group![i]);
    return { metrics: rankerMetrics(label, values, group), labelledRows: rows.length };
  }
  return {
    metrics: scorerMetrics(label, values, metadata.threshold ?? 0.5),
    labelledRows: rows.length,
  };
}
