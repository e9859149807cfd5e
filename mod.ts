/**
 * risktrain: train LightGBM risk-scoring models for blockchain anti-money-laundering from
 * ClickHouse data. Four composable stages over Apache Arrow tables and typed arrays:
 *
 * ```
 * extract(source, query)        -> ExtractedData
 * buildFeatures(data, options)  -> FeatureMatrix
 * train(matrix, options)        -> TrainedModel
 * save(model, options)          -> SavedModel
 * ```
 *
 * `runTraining` chains them as the command line does; `score` turns a saved model and a
 * range into scores with reason codes (docs/SCORING.md).
 *
 * @example Train an alert scorer on the embedded engine
 * ```ts ignore
 * import { buildFeatures, extract, openClickHouse, save, train } from "./mod.ts";
 *
 * await using ch = await openClickHouse({ dataDir: ".risktrain/chdb" });
 * const data = await extract(ch, {
 *   network: "demo",
 *   startDate: "2024-01-01",
 *   endDate: "2024-02-29",
 *   windowDays: 7,
 * });
 * const matrix = buildFeatures(data, { modelType: "alert_scorer" });
 * const model = await train(matrix, { trials: 5, seed: 42 });
 * const saved = await save(model, { outputDir: "trained_models", clickhouse: ch });
 * console.log(saved.modelPath, model.metrics.test_auc);
 * ```
 *
 * @module
 */

export type {
  Calibration,
  CategoricalFeature,
  ClickHouse,
  DataProvenance,
  EvaluationData,
  ExtractedData,
  ExtractProgress,
  ExtractQuery,
  FeatureMatrix,
  InputTable,
  InsertData,
  LoadedModel,
  ModelMetadata,
  ModelMetrics,
  ModelType,
  QueryParams,
  QueryParamValue,
  QueryProgress,
  RegistryEntry,
  SavedModel,
  StatementOptions,
  TrainedModel,
} from "./src/types.ts";
export {
  CancelledError,
  type ErrorCode,
  RiskTrainError,
  type RiskTrainErrorOptions,
} from "./src/errors.ts";
export { databaseFor } from "./src/options.ts";

export {
  type ClickHouseOptions,
  openClickHouse,
  type OpenControl,
  type ResolvedClickHouseOptions,
} from "./src/clickhouse/open.ts";
export { EmbeddedClickHouse, type EmbeddedClickHouseOptions } from "./src/clickhouse/embedded.ts";
export {
  MINIMUM_SERVER_VERSION,
  ServerClickHouse,
  type ServerClickHouseOptions,
} from "./src/clickhouse/server.ts";

export { migrate, type MigrateOptions, type MigrateResult } from "./src/schema/migrate.ts";
export {
  generate,
  type GenerateOptions,
  type GenerateProgress,
  type GenerateResult,
  INPUT_TABLES,
} from "./src/generate/generate.ts";

export {
  type ImportedBatch,
  type ImportOptions,
  type ImportProgress,
  type ImportResult,
  importSnapshots,
} from "./src/import/import_snapshots.ts";

export { extract, type ExtractOptions } from "./src/extract/extract.ts";

export { buildFeatures, type BuildFeaturesOptions } from "./src/features/build_features.ts";
export { type MatrixSummary, summarizeMatrix, writeMatrixArrow } from "./src/features/summary.ts";

export { latest, load, save, score, train } from "./src/notebook.ts";
export {
  type PreviousModel,
  type TrainOptions,
  type TrainProgress,
} from "./src/train/train_options.ts";
export type { CvScheme } from "./src/train/cv_folds.ts";
export { trainingKey } from "./src/train/training_key.ts";
export type { Hyperparameters } from "./src/train/search_space.ts";

export type { SavedModelWithMetadata, SaveOptions } from "./src/storage/save.ts";
export {
  type BrokenModel,
  findExisting,
  inspectModels,
  list,
  type ListOptions,
  type RegistryInspection,
} from "./src/storage/registry.ts";
export {
  checkRegistry,
  type CheckRegistryOptions,
  type RegistryProblem,
  type RegistryProblemKind,
} from "./src/storage/doctor.ts";

export { renderReport } from "./src/report/render_report.ts";
export { loadEvaluation, rebuildReport } from "./src/rebuild_report.ts";
export type { MimeBundle } from "./src/report/notebook_display.ts";

export {
  type RunProgress,
  runTraining,
  type RunTrainingControl,
  type RunTrainingOptions,
  type RunTrainingResult,
} from "./src/run_training.ts";

export type { ScoreOptions, ScoreRange } from "./src/score_model.ts";
export type { ScoreResult } from "./src/score/score.ts";
export type { Explanation, Reason } from "./src/score/reason_codes.ts";
export {
  SCORE_TABLES,
  writeScores,
  type WriteScoresOptions,
  type WriteScoresResult,
} from "./src/score/write_scores.ts";

export {
  Booster,
  type EvalResult,
  type PredictOptions,
  type PredictType,
  type SaveModelOptions,
} from "./src/lightgbm/booster.ts";
export {
  Dataset,
  type DatasetOptions,
  type DatasetSource,
  type RowIndices,
} from "./src/lightgbm/dataset.ts";
export type { LightGBMParams, LightGBMParamValue } from "./src/lightgbm/params.ts";
export { LightGBMError } from "./src/lightgbm/lightgbm_error.ts";
export { initLightGBM, type InitLightGBMOptions, shutdownLightGBM } from "./src/lightgbm/_wasm.ts";

export { rocAuc } from "./src/metrics/roc_auc.ts";
export { averagePrecision } from "./src/metrics/average_precision.ts";
export { logLoss } from "./src/metrics/log_loss.ts";
export { applyCalibration } from "./src/metrics/calibration.ts";
export type { CalibrationMethod } from "./src/metrics/calibration_fit.ts";
export {
  type DateEvaluation,
  evaluateScores,
  type EvaluateScoresOptions,
  type ScoreEvaluation,
  type ScoreEvaluationInput,
} from "./src/metrics/evaluate_scores.ts";
export { precisionAtK, type TopK } from "./src/metrics/precision_at_k.ts";
export { brierScore, expectedCalibrationError } from "./src/metrics/calibration_error.ts";
export { meanAveragePrecision, ndcgAt } from "./src/metrics/ranking.ts";
export { bestF1Threshold, type ThresholdScores } from "./src/metrics/threshold.ts";
export type { NumericArray } from "./src/metrics/numeric_array.ts";
