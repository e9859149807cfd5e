/**
 * A TrainedModel for storage and registry tests, with everything `train` records. The
 * model text is opaque to storage, so a short tree-format text stands in for a real one.
 */
import type { ModelType, TrainedModel } from "../../src/types.ts";

/** A TrainedModel of `modelType` for `network`; `configHash` keys its configuration. */
export function trainedModelFixture(
  options: { modelType?: ModelType; network?: string; configHash?: string; text?: string } = {},
): TrainedModel {
  const modelType = options.modelType ?? "alert_scorer";
  const network = options.network ?? "torus";
  const ranker = modelType === "alert_ranker";
  return {
    modelType,
    modelText: options.text ??
      `tree\nversion=v4\nnum_class=1\nobjective=${
        ranker ? "lambdarank" : "binary sigmoid:1"
      }\nfeature_names=a b c\n\nend of trees\n`,
    featureNames: ["a", "b", "c"],
    categorical: [{ index: 2, name: "c", categories: ["PEEL_CHAIN", "STRUCTURING"] }],
    hyperparameters: { objective: ranker ? "lambdarank" : "binary", num_leaves: 31 },
    numTrees: 12,
    metrics: ranker
      ? { "ndcg@5": 0.7, "ndcg@10": 0.72, "ndcg@20": 0.75, map: 0.6, "cv_ndcg@10_mean": 0.7 }
      : {
        test_auc: 0.81,
        test_pr_auc: 0.42,
        test_log_loss: 0.33,
        test_precision: 0.5,
        test_recall: 0.6,
        test_f1: 0.545,
        cv_auc_mean: 0.8,
        cv_auc_std: 0.01,
      },
    dataStats: { numSamples: 1000, numFeatures: 3, positiveRate: 0.12 },
    featureImportance: [
      { name: "a", split: 10, gain: 123.5 },
      { name: "b", split: 3, gain: 20.25 },
      { name: "c", split: 0, gain: 0 },
    ],
    details: {
      seed: 42,
      config_hash: options.configHash ?? "a".repeat(64),
      lightgbm_version: "4.6.0",
      threshold: ranker ? null : 0.37,
      timings_ms: { split: 1, search: 100, final_fit: 20, evaluate: 2 },
      split: {
        train_start_date: "2024-01-01",
        train_end_date: "2024-03-10",
        test_start_date: "2024-03-11",
        test_end_date: "2024-03-31",
        train_rows: 800,
        test_rows: 200,
      },
      imbalance: { strategy: "scale_pos_weight", scale_pos_weight: 7.3 },
    },
    provenance: {
      network,
      database: `risk_scoring_${network}`,
      startDate: "2024-01-01",
      endDate: "2024-03-31",
      windowDays: 7,
      historyDays: 30,
      fingerprint: "f".repeat(16),
      missingFeatureColumns: [],
    },
  };
}
