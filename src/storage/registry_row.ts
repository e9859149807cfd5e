/**
 * The `trained_models` row of a saved model, and its insertion through the ClickHouse
 * interface.
 *
 * @module
 */
import type { ClickHouse } from "../types.ts";
import type { ModelMetadata } from "./metadata.ts";

/**
 * A number for a Float32 column: metrics a model type does not have (AUC for the ranker)
 * are NaN, sent as the text `nan` because JSON has no NaN.
 */
function float(value: number | null | undefined): number | string {
  return value === null || value === undefined || !Number.isFinite(value) ? "nan" : value;
}

/**
 * The `trained_models` row of a model (columns of DATA_CONTRACT.md). `test_auc`,
 * `cv_auc_mean` and `cv_auc_std` are NaN for the ranker, whose metrics are in metrics_json.
 *
 * @example
 * ```ts ignore
 * const row = trainedModelsRow(metadata, "/abs/trained_models/alert_scorer_v1_20240131_123456.txt");
 * ```
 */
export function trainedModelsRow(
  metadata: ModelMetadata,
  modelPath: string,
): Record<string, unknown> {
  return {
    model_id: metadata.model_id,
    model_type: metadata.model_type,
    version: metadata.version,
    network: metadata.network,
    training_start_date: metadata.training_period.start_date,
    training_end_date: metadata.training_period.end_date,
    created_at: metadata.timestamp,
    model_path: modelPath,
    // A weak model (saved with --allow-weak) says so in its row too.
    metrics_json: JSON.stringify(
      metadata.weak ? { ...metadata.metrics, weak: true } : metadata.metrics,
    ),
    hyperparameters_json: JSON.stringify(metadata.hyperparameters),
    feature_names: metadata.feature_names,
    num_samples: metadata.data_stats.num_samples,
    num_features: metadata.data_stats.num_features,
    test_auc: float(metadata.metrics.test_auc),
    cv_auc_mean: float(metadata.metrics.cv_auc_mean),
    cv_auc_std: float(metadata.metrics.cv_auc_std),
  };
}

/** Inserts the model's row into `<database>.trained_models`. */
export async function registerModel(
  clickhouse: ClickHouse,
  database: string,
  metadata: ModelMetadata,
  modelPath: string,
): Promise<void> {
  await clickhouse.insert("trained_models", [trainedModelsRow(metadata, modelPath)], { database });
}
