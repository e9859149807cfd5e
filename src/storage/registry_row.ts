/**
 * The `trained_models` row of a saved model, and its insertion through the ClickHouse
 * interface.
 *
 * @module
 */
import { dirname } from "node:path";
import type { ClickHouse, ModelMetadata } from "../types.ts";
import { sha256Hex } from "./_sha256.ts";

/**
 * The first 8 hex digits of the SHA-256 of a directory's real path: its part of model ids,
 * so that ids stay unique across the output directories sharing a `trained_models` table.
 */
export async function directoryTag(realDir: string): Promise<string> {
  return (await sha256Hex(new TextEncoder().encode(realDir))).slice(0, 8);
}

/**
 * The id a model has in the table: its metadata's, with the directory tag appended for a
 * model saved before ids carried it (`<network>_<model_type>_v<version>`).
 */
export function registryModelId(metadata: ModelMetadata, tag: string): string {
  return /_v\d+$/.test(metadata.model_id) ? `${metadata.model_id}_${tag}` : metadata.model_id;
}

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
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  await clickhouse.insert("trained_models", [trainedModelsRow(metadata, modelPath)], {
    database,
    signal: options.signal,
  });
}

/** A `trained_models` row as the registry checks it. */
export interface RegistryRow {
  /** The row's model_id. */
  modelId: string;
  /** The row's absolute model path. */
  modelPath: string;
}

/**
 * The rows of `<database>.trained_models` whose model_path is in `realDir` (a real,
 * absolute directory path), or all rows when `realDir` is omitted.
 */
export async function registryRows(
  clickhouse: ClickHouse,
  database: string,
  options: { realDir?: string; signal?: AbortSignal } = {},
): Promise<RegistryRow[]> {
  const { realDir, signal } = options;
  const where = realDir === undefined ? "" : " WHERE startsWith(model_path, {prefix:String})";
  const table = await clickhouse.query(
    "SELECT model_id, model_path FROM {db:Identifier}.trained_models" + where +
      " ORDER BY model_path, model_id",
    { params: { db: database, prefix: `${realDir}/` }, signal },
  );
  const ids = table.getChild("model_id")!;
  const paths = table.getChild("model_path")!;
  const rows: RegistryRow[] = [];
  for (let i = 0; i < table.numRows; i++) {
    const modelPath = String(paths.get(i));
    if (realDir !== undefined && modelPath.slice(realDir.length + 1).includes("/")) continue;
    rows.push({ modelId: String(ids.get(i)), modelPath });
  }
  return rows;
}

/**
 * Inserts the row of a saved model when `<database>.trained_models` has none for its
 * model path (the files are the truth; a run killed between the two left it out).
 * Returns whether a row was inserted.
 */
export async function ensureRegistered(
  clickhouse: ClickHouse,
  database: string,
  metadata: ModelMetadata,
  modelPath: string,
  options: { signal?: AbortSignal } = {},
): Promise<boolean> {
  const found = await clickhouse.query(
    "SELECT count() AS n FROM {db:Identifier}.trained_models WHERE model_path = {path:String}",
    { params: { db: database, path: modelPath }, signal: options.signal },
  );
  if (Number(found.getChild("n")!.get(0)) > 0) return false;
  const id = registryModelId(metadata, await directoryTag(dirname(modelPath)));
  await registerModel(clickhouse, database, { ...metadata, model_id: id }, modelPath, options);
  return true;
}
