/**
 * The score stage: turns a saved model and a feature matrix into scores with reason codes, as
 * an Arrow table (the rows the output tables receive), and backtests the labelled rows.
 *
 * @module
 */
import { DateDay, makeVector, Table, Utf8, vectorFromArray } from "npm:apache-arrow@21.2.0";
import { getLogger } from "npm:@logtape/logtape@2.4.2";
import { RiskTrainError, throwIfAborted } from "../errors.ts";
import { Booster } from "../lightgbm/booster.ts";
import { initLightGBM } from "../lightgbm/_wasm.ts";
import { applyCalibration } from "../metrics/calibration.ts";
import type { DateEvaluation } from "../metrics/evaluate_scores.ts";
import type { FeatureMatrix, LoadedModel, ModelMetrics, ModelType } from "../types.ts";
import { backtest } from "./backtest.ts";
import { contributions } from "./contributions.ts";
import { ranksByDate } from "./rank_by_date.ts";
import { explainRows } from "./reason_codes.ts";

const logger = getLogger(["risktrain", "score"]);

/** What `score` returns. */
export interface ScoreResult {
  /** The model type scored. */
  modelType: ModelType;
  /** The model's registry id, written as `model_version`. */
  modelVersion: string;
  /**
   * One row per alert (alert models) or cluster (`cluster_scorer`): `alert_id` or
   * `cluster_id`, `processing_date`, `window_days`, `score` (the calibrated probability when
   * the model has a calibration, else LightGBM's prediction: a probability for binary models,
   * the raw score for the ranker), `rank` (1 = highest score of its processing_date) and
   * `model_version`, `explain` (the explain_json).
   */
  table: Table;
  /** The feature matrix scored (labels included, for backtests). */
  matrix: FeatureMatrix;
  /** Test metrics on the labelled rows of the range (the training run's metric set), or null. */
  metrics: ModelMetrics | null;
  /** The metrics per processing_date (precision@k per day among them). */
  metricsPerDate: DateEvaluation[];
  /** Bootstrap 95% intervals of the metrics (test dates resampled). */
  metricsIntervals: Record<string, { low: number; high: number }>;
  /** Labelled rows the metrics were computed on. */
  labelledRows: number;
  /** Durations in milliseconds: extract (a range only), features, predict, explain. */
  timingsMs: Record<string, number>;
  /** Input rows per processing_date (days since 1970-01-01): alerts, raw_features, clusters. */
  inputCounts: Map<number, { alerts: number; features: number; clusters: number }>;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i]);
}

/** Days since 1970-01-01 as UTC midnight dates. */
function dates(days: Int32Array): Date[] {
  return Array.from(days, (day) => new Date(day * 86_400_000));
}

/** What {@linkcode scoreMatrix} returns: a {@linkcode ScoreResult} but the input counts. */
export type MatrixScores = Omit<ScoreResult, "inputCounts">;

/**
 * Scores `matrix` (built with the model's feature names and dictionaries) with a saved
 * model: predicts, calibrates, ranks each processing_date, explains every row with its top
 * `topK` SHAP contributions and backtests the labelled rows. `timingsMs` holds predict_ms
 * and explain_ms.
 */
export async function scoreMatrix(
  model: LoadedModel,
  matrix: FeatureMatrix,
  options: { topK: number; bootstrapSamples: number; workers?: number; signal?: AbortSignal },
): Promise<MatrixScores> {
  const { topK, bootstrapSamples, workers, signal } = options;
  const m = model.metadata;
  const started = performance.now();
  await initLightGBM();
  using booster = Booster.fromModelString(model.modelText);
  if (!sameNames(booster.featureNames, m.feature_names)) {
    throw new RiskTrainError(
      "STORAGE",
      `The model file's features differ from its metadata's feature_names: ${model.modelPath}`,
    );
  }
  const predicted = booster.predict(matrix);
  const scores = m.calibration ? applyCalibration(m.calibration, predicted) : predicted;
  const predictedAt = performance.now();
  throwIfAborted(signal);
  const contrib = await contributions(booster, model.modelText, matrix, { workers, signal });
  const explain = explainRows(matrix, contrib, scores, topK).map((e) => JSON.stringify(e));
  const timingsMs = {
    predict_ms: Math.round(predictedAt - started),
    explain_ms: Math.round(performance.now() - predictedAt),
  };

  const { metrics, perDate, intervals, labelledRows } = backtest(
    matrix,
    predicted,
    m,
    bootstrapSamples,
  );
  const idColumn = m.model_type === "cluster_scorer" ? "cluster_id" : "alert_id";
  const n = matrix.numRows;
  const table = new Table({
    [idColumn]: vectorFromArray(matrix.ids, new Utf8()),
    processing_date: vectorFromArray(dates(matrix.processingDates), new DateDay()),
    window_days: makeVector(new Uint16Array(n).fill(m.window_days)),
    score: makeVector(Float64Array.from(scores)),
    rank: makeVector(ranksByDate(matrix.processingDates, scores)),
    model_version: vectorFromArray(new Array(n).fill(m.model_id), new Utf8()),
    explain: vectorFromArray(explain, new Utf8()),
  });
  logger.info("Scored {rows} rows with {model}", { rows: n, model: m.model_id, labelledRows });
  return {
    modelType: m.model_type,
    modelVersion: m.model_id,
    table,
    matrix,
    metrics,
    metricsPerDate: perDate,
    metricsIntervals: intervals,
    labelledRows,
    timingsMs,
  };
}
