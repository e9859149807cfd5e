/**
 * Test-set metrics of a trained model by model type.
 *
 * @module
 */
import { averagePrecision } from "../metrics/average_precision.ts";
import { logLoss } from "../metrics/log_loss.ts";
import { meanAveragePrecision, ndcgAt } from "../metrics/ranking.ts";
import { rocAuc } from "../metrics/roc_auc.ts";
import { scoresAtThreshold } from "../metrics/threshold.ts";

/** The NDCG cut-offs reported for the ranker. */
export const RANKER_REPORT_AT = [5, 10, 20] as const;

/**
 * Test metrics of a scorer: AUC, PR-AUC (average precision), log loss, and precision,
 * recall and F1 at `threshold`. A test set with a single class has no AUC or PR-AUC: NaN.
 */
export function scorerMetrics(
  label: Float32Array,
  probability: Float64Array,
  threshold: number,
): Record<string, number> {
  let positives = 0;
  for (const v of label) positives += v;
  const bothClasses = positives > 0 && positives < label.length;
  const at = scoresAtThreshold(label, probability, threshold);
  return {
    test_auc: bothClasses ? rocAuc(label, probability) : NaN,
    test_pr_auc: positives > 0 ? averagePrecision(label, probability) : NaN,
    test_log_loss: logLoss(label, probability),
    test_precision: at.precision,
    test_recall: at.recall,
    test_f1: at.f1,
  };
}

/** Test metrics of the ranker: NDCG@5/10/20 (gain 2^rel - 1) and MAP. */
export function rankerMetrics(
  label: Float32Array,
  score: Float64Array,
  group: Int32Array,
): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const k of RANKER_REPORT_AT) metrics[`test_ndcg@${k}`] = ndcgAt(label, score, group, k);
  metrics.test_map = meanAveragePrecision(label, score, group);
  return metrics;
}
